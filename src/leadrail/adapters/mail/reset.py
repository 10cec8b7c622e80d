"""The outbox job that sends a password-reset e-mail (``RESET_JOB``): the use case makes the
link, this sends it. The result recorded on the job never holds the link."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from leadrail.adapters.mail.smtp import MailError, SmtpMailer
from leadrail.app.accounts import AccountService
from leadrail.app.outbox import ClaimedJob, JobFailed


class ResetMailJob:
    def __init__(
        self,
        accounts: AccountService,
        mailer: SmtpMailer,
        base_url: str,
    ) -> None:
        self.accounts = accounts
        self.mailer = mailer
        self.base_url = base_url

    def run(self, job: ClaimedJob, now: datetime) -> str:
        mail = self.accounts.reset_mail(str(job.payload.get("email", "")), now, self.base_url)
        if mail is None:
            return "no active account with this address: nothing sent"
        message = EmailMessage()
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        try:
            self.mailer.send_sync(message)
        except MailError as e:  # the reply of the server, never the message
            raise JobFailed(f"SMTP: {e.response}", retryable=e.retryable) from None
        return "reset link sent"
