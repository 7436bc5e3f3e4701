"""Sending one email through SES (v2, raw MIME), with throttling retried and rejections told apart.

The message is built with the standard library's ``email`` package, whose default policy refuses
CR or LF in any header: partner-written text can never add a header or a recipient.
"""

from __future__ import annotations

import re
from email import policy
from email.errors import MessageError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import aws
from functions.domain.errors import Unavailable
from functions.domain.mail import INVALID_ADDRESS, sendable
from functions.runtime.settings import get_settings

# Refusals of the whole account or stage, not of one message: every email would meet them until
# an operator fixes the account (production access, the sender's identity, the MAIL FROM
# domain, the configuration set). The email is not at fault: it waits on its queue.
ACCOUNT_LEVEL = frozenset(
    {
        "SendingPausedException",
        "AccountSuspendedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",  # the stage's configuration set is missing
    }
)
# Refusals of this message that no retry can fix: record them and stop. ``MessageRejected`` is
# one unless it names the sender (see :func:`names_sender`).
PERMANENT = frozenset({"MessageRejected", "BadRequestException", "InvalidParameterValue"})


class PermanentRejection(Exception):
    """SES refused the message for good (``code`` says why); it must not be retried."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AccountRefusal(Exception):
    """SES refuses to send anything for this account or sender (``code``): the email must wait
    for the account to be fixed, on its queue. Neither this nor its chain holds an address."""

    def __init__(self, code: str) -> None:
        super().__init__(f"SES refuses to send for the account or sender ({code})")
        self.code = code


def names_sender(message: str, sender: str) -> bool:
    """True if SES's refusal text is about the sender: "Email address is not verified. The
    following identities failed the check in region ...: <sender>" (SES), "Did not have
    authority to send from email <sender>" (moto). The whole address, on its own: a recipient
    at the sender's domain, or whose address merely ends with the sender's, is not the sender."""
    if not sender:
        return False
    pattern = r"(?:^|(?<=[\s,;:<(\[]))" + re.escape(sender) + r"(?![\w-]|\.[\w-])"
    return re.search(pattern, message, re.IGNORECASE) is not None


def classify(code: str, message: str, sender: str) -> Exception | None:
    """The exception a refusal of SES stands for: :class:`AccountRefusal`,
    :class:`PermanentRejection`, or None (retry later: throttling, an outage)."""
    if code in ACCOUNT_LEVEL or (code == "MessageRejected" and names_sender(message, sender)):
        return AccountRefusal(code)
    if code in PERMANENT:
        return PermanentRejection(code)
    return None


# Every whitespace but the no-break spaces French typography sets before : ; ? ! (U+00A0, U+202F).
BREAKING_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(text: str, limit: int = 200) -> str:
    """Text fit for a header: whitespace (CR/LF included) folded to single spaces, shortened;
    the no-break spaces stay (a French subject's "Rappel\u00a0: ...")."""
    folded = BREAKING_SPACE.sub(" ", text).strip(" ")
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


class _MailPolicy(policy.EmailPolicy):
    """The default policy, but the subject folded by :class:`email.header.Header`.

    The default policy's folder (CPython 3.11-3.13, gh-144156) can break a line between two
    encoded words with the space between them outside both, and RFC 2047 readers drop whitespace
    between encoded words: a French subject's "MX-2026-0001 : Renforcer" arrived as
    ":Renforcer". ``Header`` encodes the whole subject, spaces inside the encoded words. An ASCII
    subject of about 70 characters was folded right after "Subject:", and read back with a
    leading space; ``Header`` keeps the first word on the header's line.
    """

    def _fold(self, name: str, value: Any, refold_binary: bool = False) -> str:
        if name.lower() == "subject":
            text = str(value)
            charset = "us-ascii" if text.isascii() else "utf-8"
            encoded = Header(text, charset, header_name=name).encode(
                linesep=self.linesep, maxlinelen=self.max_line_length or 78
            )
            return f"{name}: {encoded}{self.linesep}"
        folded: str = super()._fold(name, value, refold_binary)  # type: ignore[misc]
        return folded


MAIL_POLICY = _MailPolicy()


def build_message(
    to: str, subject: str, text: str, html: str, kind: str, language: str
) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML as the better part.

    Raises :class:`PermanentRejection` (``invalid_address``) for an address the domain's rule
    refuses (stored before the rule, or a committee's): no retry can build it, and neither the
    exception nor its chain holds the address (it would reach the logs).
    """
    settings = get_settings()
    if not sendable(to):
        raise PermanentRejection(INVALID_ADDRESS)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = formataddr(("MIEUX", settings.sender_email))
    try:
        message["To"] = Address(addr_spec=to)
    except (ValueError, IndexError, MessageError):  # the rule missed it; the text holds it
        raise PermanentRejection(INVALID_ADDRESS) from None
    message["Subject"] = one_line(subject)
    message["Auto-Submitted"] = "auto-generated"
    message["X-MIEUX-Kind"] = kind
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after set_content, which clears Content-* headers
    return message


def send(to: str, subject: str, text: str, html: str, kind: str, language: str) -> str:
    """Send one email; return SES's message id. Throttling is retried by botocore (standard mode).

    Raises :class:`AccountRefusal` when SES refuses the account or the sender (the email waits),
    :class:`PermanentRejection` for a refusal of this message no retry can fix, and
    :class:`Unavailable` for any other failure of SES (throttling past the retries, an outage),
    so that the queue delivers the notification again later. SES's text is not kept: it may
    name the recipient.
    """
    settings = get_settings()
    message = build_message(to, subject, text, html, kind, language)
    arguments: dict[str, Any] = {
        "FromEmailAddress": settings.sender_email,  # the identity SES (and IAM) check
        "Content": {"Raw": {"Data": message.as_bytes()}},
    }
    if settings.ses_configuration_set:
        arguments["ConfigurationSetName"] = settings.ses_configuration_set
    try:
        answer = aws.client("sesv2", settings.region).send_email(**arguments)
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        refusal = classify(code, str(details.get("Message", "")), settings.sender_email)
        if refusal is not None:
            raise refusal from None
        raise Unavailable(f"SES did not send the message for now ({code})") from error
    except BotoCoreError as error:
        raise Unavailable(f"SES could not be reached ({type(error).__name__})") from error
    return str(answer["MessageId"])
