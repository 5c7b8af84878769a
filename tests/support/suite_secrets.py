"""The secrets the test suite runs with, so tests can grep logs and output for them.

conftest.py puts SUITE_SIGNING_SECRET in HOTLINE_SECRET for the whole session (so no test
writes a secret into a hotline.toml of the checkout); tests that need `db init` to
generate one unset it and work in their own folder.
"""

SUITE_SIGNING_SECRET = "suite-signing-secret-5b1f0c9e7d3a2468"
AMI_PASSWORD = "ami-pass-3c9d1e7f"
