"""The ``password_reset`` job: the account use case makes the link, this e-mails it. The
result recorded on the job never holds the link."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from leadrail.app.accounts import ResetMail
from leadrail.app.outbox import ClaimedJob, MailSender


class ResetMails(Protocol):
    def reset_mail(self, email: str, now: datetime, base_url: str) -> ResetMail | None:
        """A new link for an active account (ending its older links), or None."""
        ...


class SendResetMail:
    def __init__(self, accounts: ResetMails, mail: MailSender, *, base_url: str) -> None:
        self.accounts = accounts
        self.mail = mail
        self.base_url = base_url

    def __call__(self, job: ClaimedJob, now: datetime) -> str:
        mail = self.accounts.reset_mail(str(job.payload.get("email", "")), now, self.base_url)
        if mail is None:
            return "no active account with this address: nothing sent"
        message = EmailMessage()
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        self.mail.send(message)  # a failure says what the server replied, never the message
        return "reset link sent"
