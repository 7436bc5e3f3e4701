"""The attachments bucket (S3): presigned uploads and downloads, the few reads the app makes.

The browser sends a file straight to S3 with a presigned POST (the app never carries the
bytes through API Gateway's 10 MB limit and Lambda's 6 MB payload): the POST's policy pins the
exact key, a size of 1 byte to 10 MB, server-side encryption and a short expiry. Downloads are
presigned GETs of a few minutes that make the browser save the file under the name we give.
Presigning is local computation (no call); the calls are HeadObject, a ranged GetObject,
GetObjectTagging, PutObjectTagging or DeleteObjectTagging, and DeleteObject (each function's IAM
policy grants those it makes, and s3:PutObject for the uploads the presigned POSTs allow).
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import aws
from functions.domain.errors import Unavailable
from functions.runtime.settings import aws_endpoint_url, get_settings

UPLOAD_SECONDS = 15 * 60  # long enough for 10 MB on a slow line, short enough not to linger
DOWNLOAD_SECONDS = 5 * 60
ENCRYPTION = "AES256"  # SSE-S3, the bucket's default too
# While a file belongs to a draft (not a request yet) it carries this tag: the bucket's
# lifecycle deletes such objects a little after a draft's time (infra/stack.yaml).
DRAFT_TAG = ("mieux-owner", "draft")
_DRAFT_TAGGING = (
    "<Tagging><TagSet><Tag><Key>mieux-owner</Key><Value>draft</Value></Tag></TagSet></Tagging>"
)


class PresignedPost(NamedTuple):
    """Where a form posts a file, and the fields it must post before the file."""

    url: str
    fields: dict[str, str]


def _s3() -> tuple[str, Any]:
    settings = get_settings()
    if not settings.attachments_bucket:
        raise Unavailable("no attachments bucket is configured (ATTACHMENTS_BUCKET)")
    return settings.attachments_bucket, aws.client("s3", settings.region)


def _missing(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def presigned_upload(key: str, max_bytes: int, redirect_to: str | None = None) -> PresignedPost:
    """A presigned POST for exactly ``key``: 1 byte to ``max_bytes``, encrypted, tagged as a
    draft's, valid ``UPLOAD_SECONDS``; with ``redirect_to``, S3 sends the browser there after
    the upload (303, ``?bucket=&key=&etag=`` added), for the pages without JavaScript."""
    bucket, s3 = _s3()
    fields = {"x-amz-server-side-encryption": ENCRYPTION, "tagging": _DRAFT_TAGGING}
    conditions: list[Any] = [
        ["content-length-range", 1, max_bytes],
        {"x-amz-server-side-encryption": ENCRYPTION},
        {"tagging": _DRAFT_TAGGING},
    ]
    if redirect_to:
        fields["success_action_redirect"] = redirect_to
        conditions.append({"success_action_redirect": redirect_to})
    else:
        fields["success_action_status"] = "204"
        conditions.append({"success_action_status": "204"})
    post = s3.generate_presigned_post(
        Bucket=bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=UPLOAD_SECONDS
    )
    return PresignedPost(str(post["url"]), {k: str(v) for k, v in post["fields"].items()})


def bucket_origins() -> tuple[str, ...]:
    """The origins a browser reaches the bucket at (for the pages' Content-Security-Policy):
    botocore presigns POSTs on the global host and GETs on the regional one; locally, moto's."""
    settings = get_settings()
    endpoint = aws_endpoint_url()
    if endpoint:
        parts = urlsplit(endpoint)
        return (f"{parts.scheme}://{parts.netloc}",)
    bucket = settings.attachments_bucket
    return (
        f"https://{bucket}.s3.amazonaws.com",
        f"https://{bucket}.s3.{settings.region}.amazonaws.com",
    )


def presigned_download(key: str, file_name: str, media_type: str) -> str:
    """A GET link of ``DOWNLOAD_SECONDS`` that saves the object as ``file_name`` (an
    attachment, never shown inline: the browser does not render what a partner uploaded)."""
    bucket, s3 = _s3()
    return str(
        s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{file_name}"',
                "ResponseContentType": media_type,
            },
            ExpiresIn=DOWNLOAD_SECONDS,
        )
    )


def size_of(key: str) -> int | None:
    """The object's size in bytes (HeadObject), or None when there is none."""
    bucket, s3 = _s3()
    try:
        answer = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if _missing(error):
            return None
        raise Unavailable("S3 failed: HeadObject") from error
    except BotoCoreError as error:
        raise Unavailable("S3 failed: HeadObject") from error
    return int(answer["ContentLength"])


def read(key: str, length: int | None = None) -> bytes:
    """The object's first ``length`` bytes (a ranged GetObject), or all of it."""
    bucket, s3 = _s3()
    arguments: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if length is not None:
        arguments["Range"] = f"bytes=0-{length - 1}"
    try:
        body = s3.get_object(**arguments)["Body"]
        try:
            return bytes(body.read())
        finally:
            body.close()
    except (ClientError, BotoCoreError) as error:
        raise Unavailable("S3 failed: GetObject") from error


def tags_of(key: str) -> dict[str, str] | None:
    """The object's tags (GetObjectTagging), or None when there is no object."""
    bucket, s3 = _s3()
    try:
        answer = s3.get_object_tagging(Bucket=bucket, Key=key)
    except ClientError as error:
        if _missing(error):
            return None
        raise Unavailable("S3 failed: GetObjectTagging") from error
    except BotoCoreError as error:
        raise Unavailable("S3 failed: GetObjectTagging") from error
    return {tag["Key"]: tag["Value"] for tag in answer.get("TagSet", [])}


def untag_draft(key: str) -> None:
    """Take the draft's tag off an object (the form was sent: the lifecycle must not delete
    it), keeping every other tag (GuardDuty's scan result)."""
    bucket, s3 = _s3()
    tags = tags_of(key)
    if tags is None:
        return
    # Written even when the tag is not there (moto keeps no tags from a POST): one call more
    # per file, once, when the form is sent.
    kept = [{"Key": k, "Value": v} for k, v in tags.items() if k != DRAFT_TAG[0]]
    try:
        if kept:
            s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": kept})
        else:
            s3.delete_object_tagging(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as error:
        raise Unavailable("S3 failed: object tagging") from error


def delete(key: str) -> None:
    """Delete an object (nothing happens when there is none: S3's DeleteObject is idempotent)."""
    bucket, s3 = _s3()
    try:
        s3.delete_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as error:
        raise Unavailable("S3 failed: DeleteObject") from error
