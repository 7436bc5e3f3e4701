"""Before a command talks to AWS: a region and credentials, or one line saying what to set.

``make deploy``, ``python -m infra.keys`` and ``python -m functions.ops`` call
:func:`access_problem` first and exit with :data:`EXIT_NO_ACCESS` and that line; a call that
still fails for want of credentials (an expired SSO session) is caught by :func:`access_error`.
"""

from __future__ import annotations

from typing import Any

EXIT_NO_ACCESS = 2  # as a command given wrong arguments: nothing was tried
NO_REGION = "set AWS_REGION (or AWS_DEFAULT_REGION, or region in your AWS profile)"
NO_CREDENTIALS = (
    "set AWS_PROFILE (a profile of ~/.aws/config; `aws sso login` for an SSO one) or "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
)
# Error codes AWS answers with when the credentials themselves are wrong or expired.
CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
}


def access_problem(session: Any) -> str | None:
    """What to set before ``session`` (a boto3 session) can call AWS, or None if nothing."""
    from botocore.exceptions import BotoCoreError

    missing = []
    if not session.region_name:
        missing.append(("no AWS region", NO_REGION))
    try:
        credentials = session.get_credentials()
    except BotoCoreError as error:  # a profile that does not exist, a broken config file
        return f"AWS credentials unusable ({error}): {NO_CREDENTIALS}"
    if credentials is None:
        missing.append(("no AWS credentials", NO_CREDENTIALS))
    if not missing:
        return None
    return "; ".join(what for what, _ in missing) + ": " + "; and ".join(fix for _, fix in missing)


def access_error(error: BaseException) -> str | None:
    """The one line for an exception (or its causes) that means "no usable credentials"."""
    from botocore.exceptions import (
        ClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        SSOError,
        TokenRetrievalError,
    )

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, NoRegionError):
            return f"no AWS region: {NO_REGION}"
        if isinstance(seen, NoCredentialsError | PartialCredentialsError):
            return f"no AWS credentials: {NO_CREDENTIALS}"
        if isinstance(seen, SSOError | TokenRetrievalError):
            return f"the AWS SSO session has expired ({seen}): run `aws sso login`"
        if isinstance(seen, ClientError):
            code = seen.response.get("Error", {}).get("Code", "")
            if code in CREDENTIAL_CODES:
                return f"AWS refused the credentials ({code}): {NO_CREDENTIALS}"
        seen = seen.__cause__ or seen.__context__
    return None
