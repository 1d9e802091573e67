"""The one bridge from the engine's errors to a form: a Pydantic ValidationError (the API's own request
schemas) or an AppError that names a field (the services' rules) becomes a message under that field;
anything about the input without a field becomes the form's summary. Page builders parse a form into the
API's schema and call the API's service inside `attempt`, so a form obeys every rule the API does.

    values = await form_values(request)
    outcome = await attempt(lambda: service.create_brand(session, ctx, parse(BrandWrite, values)))
    if isinstance(outcome, FormErrors):
        return pages.render(request, "console/brands/form.html", {"values": values, "errors": outcome},
                            status=outcome.status)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from perks.errors import AppError, BadRequest, Conflict, Unprocessable
from perks.ui import csrf

T = TypeVar("T")
Model = TypeVar("Model", bound=BaseModel)
FormValues = dict[str, Any]  # field name -> the text typed (a list for repeated fields)

# AppErrors about what was typed; others (404, 403, ...) are not the form's to show.
INPUT_ERRORS: tuple[type[AppError], ...] = (BadRequest, Conflict, Unprocessable)
FRIENDLY = {
    "missing": "This field is required.",
    "json_invalid": "This is not valid JSON.",
}


@dataclass(frozen=True)
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)
    summary: str | None = None
    status: int = 400  # what the page answers: the API's status for the same error (409 for a conflict)

    def __bool__(self) -> bool:
        return bool(self.fields or self.summary)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


NO_ERRORS = FormErrors()


async def form_values(request: Request, lists: Collection[str] = ()) -> FormValues:
    """The submitted fields as text (the CSRF token left out); names in `lists` keep every value."""
    form = await request.form()
    values: FormValues = {}
    for name in form:
        if name == csrf.FIELD:
            continue
        if name in lists:
            values[name] = [item for item in form.getlist(name) if isinstance(item, str)]
        else:
            item = form.get(name)
            values[name] = item if isinstance(item, str) else ""
    for name in lists:
        values.setdefault(name, [])
    return values


def parse(model: type[Model], values: Mapping[str, Any], *, json_fields: Collection[str] = ()) -> Model:
    """The API's schema filled from a form: blank fields are left out (the schema's default applies, or
    "required" is reported), `json_fields` are parsed from JSON text."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str) and not value.strip():
            continue
        if name in json_fields:
            try:
                data[name] = json.loads(value)
            except ValueError as error:
                raise BadRequest(f"{name}: this is not valid JSON ({error})", field=name) from error
        else:
            data[name] = value
    return model.model_validate(data)


def errors_of(error: ValidationError | AppError) -> FormErrors:
    if isinstance(error, ValidationError):
        return _from_validation(error)
    return _from_app_error(error)


def _from_validation(error: ValidationError) -> FormErrors:
    fields: dict[str, str] = {}
    summary: list[str] = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem.get("loc", ()))
        message = _friendly(problem)
        if name:
            fields.setdefault(name, message)
        else:
            summary.append(message)
    return FormErrors(fields, " ".join(summary) or _summary(fields))


def _friendly(problem: Mapping[str, Any]) -> str:
    kind = str(problem.get("type", ""))
    if kind in FRIENDLY:
        return FRIENDLY[kind]
    if kind == "string_too_short" and problem.get("ctx", {}).get("min_length") == 1:
        return FRIENDLY["missing"]
    message = str(problem.get("msg", "This value is not valid."))
    message = message.removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _from_app_error(error: AppError) -> FormErrors:
    if error.field:
        message = error.details.removeprefix(f"{error.field}: ")
        message = message[:1].upper() + message[1:]
        return FormErrors({error.field: message}, _summary({error.field: message}), error.status_code)
    return FormErrors({}, error.details, error.status_code)


def _summary(fields: Mapping[str, str]) -> str | None:
    if not fields:
        return None
    return (
        "Please correct the field marked below."
        if len(fields) == 1
        else "Please correct the fields marked below."
    )


async def attempt(action: Callable[[], Awaitable[T]]) -> T | FormErrors:
    """Run `action` (parse + service call); its input errors come back as FormErrors, others propagate.
    The page then answers the form with `errors.status` (4xx), so the request's transaction is rolled
    back."""
    try:
        return await action()
    except ValidationError as error:
        return errors_of(error)
    except INPUT_ERRORS as error:
        return errors_of(error)
