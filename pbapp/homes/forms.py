"""The contact form of the footer's contact page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from pbapp.formfields import email_field


class ContactForm(FlaskForm):
    council = SelectField(
        _l("Which council is it about?"),
        choices=[],
        validators=[DataRequired(_l("Choose the council your message is about"))],
    )
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name")),
            Length(max=200, message=_l("Your name must be 200 characters or fewer")),
        ],
    )
    email = email_field(
        _l("Your email address"),
        missing=_l("Enter your email address so the council can reply"),
        description=_l("The council uses it only to reply to you."),
    )
    message = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(_l("Enter your message")),
            Length(max=3000, message=_l("Your message must be 3,000 characters or fewer")),
        ],
        description=_l(
            "For example, ask for a paper ballot, a document in another format, or help with your account. Do not include bank details."
        ),
    )

    def set_councils(self, councils, locale: str) -> None:
        self.council.choices = [SelectChoice(c.slug, c.display_name(locale)) for c in councils]
