"""From numbers to action: users and roles, the audit log, local targets, measures (tiltak),
partners, Excel import and export, and the maturity self-assessment.

The web and the command line call these through ``fn17.services.actions``.
"""
