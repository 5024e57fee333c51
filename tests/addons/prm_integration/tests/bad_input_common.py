# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Malformed-input strategies and checks shared by the bad-input tests of
the partner portal forms."""

import io
import logging
import math
import re
import zipfile
from datetime import date

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from odoo import http
from odoo.tests import HttpCase

_logger = logging.getLogger(__name__)

# Every example is an HTTP round trip: few, reproducible, nothing written to
# an example database in the repository, no shrinking (a failing input is
# reported as it was drawn).
BAD_INPUT_SETTINGS = dict(
    deadline=None,
    database=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


def bad_input_settings(max_examples):
    return settings(max_examples=max_examples, **BAD_INPUT_SETTINGS)


# Free text the portal stores: no form keeps more than this.
MAX_TEXT = 5000
HUGE_TEXT = "x" * 100_000

# ------------------------------------------------------------------
# Values
# ------------------------------------------------------------------


class Missing:
    """The field is left out of the request."""

    def __repr__(self):
        return "MISSING"


MISSING = Missing()


class Ref:
    """A record id only known at run time (``ids[name]`` of the test)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Ref({self.name!r})"


class Many:
    """Repeated keys: the field is sent once per value."""

    def __init__(self, *values):
        self.values = values

    def __repr__(self):
        return f"Many{self.values!r}"


class Upload:
    """A file sent in a multipart request."""

    def __init__(self, filename, data, mimetype="application/octet-stream"):
        self.filename = filename
        self.data = data
        self.mimetype = mimetype

    def __repr__(self):
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


def xss_payloads():
    """Script payloads; each carries a marker that must never come back raw."""
    return [
        '<script>alert("prm-xss-1")</script>',
        '"><img src=x onerror=alert(1)>',
        "<svg/onload=alert('prm-xss-2')>",
        "javascript:alert('prm-xss-3')//",
    ]


# a payload is harmless once escaped (``&lt;script&gt;``, ``&quot;&gt;&lt;img``)
RAW_XSS_MARKERS = (
    '<script>alert("prm-xss-',
    "<img src=x onerror=alert(",
    "<svg/onload=alert(",
)

PDF_DATA = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_DATA = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE_DATA = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


# ------------------------------------------------------------------
# Strategies
# ------------------------------------------------------------------

xss = st.sampled_from(xss_payloads())
unicode_text = st.sampled_from(
    [
        "שלום עולם",  # RTL
        "\u202eevil\u202c.pdf",  # RTL override
        "Partner 🚀🔥 ✓",
        "nul\x00byte",
        "tab\tnew\nline\r",
        "'; DROP TABLE res_partner; --",
        "%s %(name)s {0}",
        "\ufeff\u200b",
    ]
)
huge_text = st.just(HUGE_TEXT)
junk_text = st.text(max_size=40)
bad_amount = st.sampled_from(
    [
        "-1",
        "-0.01",
        "0",
        "-0",
        "0.0000001",
        "1e16",
        "1e308",
        "-1e308",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "abc",
        "12,34,56",
        "1.2.3",
        "0x10",
        "١٢٣",  # Arabic-Indic digits
        "",
        " ",
        "99999999999999999999999999",
    ]
)
bad_integer = st.sampled_from(
    ["-1", "1.5", "abc", "", "99999999999999999999", "2147483648", "٣", "1e3"]
)
bad_date = st.sampled_from(
    [
        "2026-02-30",
        "31/12/2026",
        "",
        "0000-00-00",
        "9999-99-99",
        "2026-13-01",
        "yesterday",
        "0001-01-01",
        "9999-12-31",
        "2026-1-1",
        "20260101",
        "2026-01-01T00:00:00",
    ]
)
bad_id = st.sampled_from(["0", "-1", "999999999", "abc", "1.5", "", " 1", "1e3"])
missing = st.just(MISSING)


class Field:
    """A form field: its valid value and the strategy of what is posted."""

    def __init__(self, valid, *bad):
        self.valid = valid
        self.strategy = st.one_of(st.just(valid), *bad)


def field(valid, *bad):
    return Field(valid, *bad)


def text_field(valid):
    """A text field: the valid value or anything a robot could send."""
    return Field(
        valid,
        xss,
        unicode_text,
        huge_text,
        junk_text,
        missing,
        st.just(Many(valid, '<script>alert("prm-xss-4")</script>')),
    )


def amount_field(valid):
    return Field(valid, bad_amount, xss, huge_text, missing)


def date_field(valid):
    return Field(valid, bad_date, xss, huge_text, missing)


def id_field(valid, *more_valid):
    """A record id: valid ones, malformed ones, repeated keys."""
    return Field(
        valid,
        st.sampled_from((valid,) + more_valid),
        bad_id,
        xss,
        missing,
        st.just(Many(valid, *more_valid, "abc")),
    )


def form(**fields_):
    """The posted form: either every field drawn at random, or the valid
    form with one or two fields drawn (so that most single bad values are
    tried on an otherwise acceptable form)."""
    valid = {name: f.valid for name, f in fields_.items()}
    strategies = {name: f.strategy for name, f in fields_.items()}

    def with_bad(names):
        return st.fixed_dictionaries({name: strategies[name] for name in names}).map(
            lambda bad: {**valid, **bad}
        )

    return st.one_of(
        st.lists(
            st.sampled_from(sorted(strategies)), min_size=1, max_size=2, unique=True
        ).flatmap(with_bad),
        st.fixed_dictionaries(strategies),
    )


# ------------------------------------------------------------------
# Test case
# ------------------------------------------------------------------


class PrmBadInputCase(HttpCase):
    """Posts malformed data to a portal form and checks the answer."""

    # forms and inputs tried by the whole class (logged at the end)
    tried = {}
    server_errors = 0

    @classmethod
    def tearDownClass(cls):
        for form_name, count in sorted(cls.tried.items()):
            _logger.info("bad input: %s tried with %s inputs", form_name, count)
        _logger.info(
            "bad input: %s forms, %s inputs, %s server errors",
            len(cls.tried),
            sum(cls.tried.values()),
            cls.server_errors,
        )
        super().tearDownClass()

    # ids of records the strategies refer to by name (Ref)
    ids = {}

    def _count_input(self, form_name):
        type(self).tried[form_name] = type(self).tried.get(form_name, 0) + 1

    def _resolve(self, value):
        if isinstance(value, Ref):
            return str(self.ids[value.name])
        return value

    def _encode(self, values, csrf=True):
        """``(data, files)`` for ``url_open`` from a drawn dictionary."""
        data = []
        files = []
        for key, value in values.items():
            if value is MISSING:
                continue
            items = value.values if isinstance(value, Many) else (value,)
            for item in items:
                item = self._resolve(item)
                if isinstance(item, Upload):
                    files.append((key, (item.filename, item.data, item.mimetype)))
                else:
                    data.append((key, item))
        if csrf:
            data.append(("csrf_token", http.Request.csrf_token(self)))
        return data, files

    def post(self, url, values, csrf=True):
        data, files = self._encode(values, csrf=csrf)
        response = self.url_open(
            url, data=data, files=files or None, allow_redirects=False, timeout=60
        )
        self.env.invalidate_all()
        return response

    def follow(self, response):
        """GET the page a redirect leads to (a message is shown there)."""
        location = response.headers.get("Location", "")
        self.assertTrue(location, "a redirect without a location")
        return self.url_open(location, allow_redirects=False, timeout=60)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def assertNoServerError(self, response, values):
        if response.status_code >= 500 or "Traceback (most recent call" in (
            response.text
        ):
            type(self).server_errors += 1
            self.fail(
                f"{response.request.method} {response.url} answered "
                f"{response.status_code} for {values!r}"
            )

    def assertNoRawScript(self, response, values):
        body = response.text
        for marker in RAW_XSS_MARKERS:
            self.assertTrue(
                marker not in body,
                f"{response.url} echoes {marker!r} unescaped for {values!r}",
            )

    def assertShowsError(self, response, values, marker='class="alert alert-danger"'):
        self.assertTrue(
            marker in response.text,
            f"{response.url} ({response.status_code}) rejected {values!r} "
            "without a visible message",
        )

    def assertSaneAmount(self, amount, currency=None, label="amount"):
        self.assertTrue(
            amount is not None and math.isfinite(amount) and amount >= 0,
            f"{label} stored as {amount!r}",
        )
        self.assertLess(amount, 1e15, f"{label} stored as {amount!r}")
        if currency:
            self.assertTrue(
                currency.is_zero(amount - currency.round(amount)),
                f"{label} {amount!r} is not rounded to {currency.name}",
            )

    def assertSaneText(self, value, limit=MAX_TEXT, label="text"):
        if not value:
            return
        self.assertLessEqual(
            len(value), limit, f"{label} stored with {len(value)} chars"
        )
        self.assertNotIn("\x00", value, f"{label} stored with a NUL byte")

    def assertSaneDate(self, value, label="date"):
        self.assertIsInstance(value, date, f"{label} stored as {value!r}")
        self.assertTrue(1900 <= value.year <= 2200, f"{label} stored as {value!r}")

    @staticmethod
    def location(response):
        return response.headers.get("Location", "")

    @staticmethod
    def location_path(response):
        return re.sub(r"^https?://[^/]+", "", response.headers.get("Location", ""))
