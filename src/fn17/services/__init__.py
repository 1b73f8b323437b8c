"""The service layer: the only thing the CLI, the web app and library users call.

Each module takes a ``Workspace`` and returns frozen dataclasses (page contexts) or
DataFrames; routes and commands are thin shells around one service call."""
