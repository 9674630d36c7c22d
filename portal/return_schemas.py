"""The returns API's JSON shapes: one body per action on a return request, told apart by `action`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

from portal import inputs

# An https:// address with a host, no spaces, controls or line breaks (written so that Python's re and
# the ECMA 262 engines of OpenAPI tools read it alike).
_URL_CHAR = r"[^\u0000-\u0020\u007f-\u00a0\u2028\u2029"
HTTPS_URL_PATTERN = rf"^https://{_URL_CHAR}/?#]+(?:[/?#]{_URL_CHAR}]*)?$"
# Free text with a character that trimming leaves: str.strip() also trims U+001C-U+001F and U+0085,
# which ECMA 262's \s does not name.
_NOT_BLANK_TEXT = {"pattern": r"^[^\u0000]*[^\u0000\s\u001c-\u001f\u0085][^\u0000]*$"}
MAX_INSTRUCTIONS = 2000
MAX_DECLINE_REASON = 1000

Text = Annotated[str, StringConstraints(pattern=inputs.TEXT_PATTERN)]
HttpsUrl = Annotated[str, StringConstraints(pattern=HTTPS_URL_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApproveIn(_Strict):
    action: Literal["approve"]
    instructions: Text = Field(min_length=1, max_length=MAX_INSTRUCTIONS, json_schema_extra=_NOT_BLANK_TEXT,
                               description="How to send the items back; the shopper reads it on the page and by e-mail.")
    label_url: HttpsUrl | None = Field(default=None, max_length=1000, description="A return label to print; https only.")


class DeclineIn(_Strict):
    action: Literal["decline"]
    reason: Text = Field(min_length=1, max_length=MAX_DECLINE_REASON, json_schema_extra=_NOT_BLANK_TEXT,
                         description="Why the return is declined; the shopper reads it.")


class ReceiveIn(_Strict):
    action: Literal["receive"]


class RefundIn(_Strict):
    action: Literal["refund"]


class ReturnActionIn(RootModel[Annotated[ApproveIn | DeclineIn | ReceiveIn | RefundIn, Field(discriminator="action")]]):
    """A step for a return request: approve, decline, receive or refund."""
