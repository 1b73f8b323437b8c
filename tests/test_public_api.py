import fn17


def test_public_api_is_explicit() -> None:
    assert sorted(fn17.__all__) == sorted(
        [
            "AuthenticationError", "ConflictError", "DataFileError", "DatabaseVersionError", "Fn17Error",
            "ImportValidationError", "InvalidInputError", "NotFoundError", "OfflineError", "PermissionDeniedError",
            "Settings", "SourceError", "Workspace", "__version__", "get_settings", "open_workspace",
        ]
    )
    for name in fn17.__all__:
        assert hasattr(fn17, name), name


def test_error_tree() -> None:
    assert issubclass(fn17.ImportValidationError, fn17.InvalidInputError)
    assert issubclass(fn17.OfflineError, fn17.SourceError)
    for cls in (fn17.NotFoundError, fn17.InvalidInputError, fn17.DataFileError, fn17.SourceError):
        assert issubclass(cls, fn17.Fn17Error)
    err = fn17.NotFoundError("Fant ikke kommune 9999.", message_en="Municipality 9999 not found.", hint="Prøv 1508.")
    assert err.http_status == 404 and err.exit_code == 3
    assert err.to_dict("en")["error"]["message"] == "Municipality 9999 not found."
    assert err.text("nb") == "Fant ikke kommune 9999. Prøv 1508."
