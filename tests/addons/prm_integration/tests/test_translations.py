# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The partner dashboard in every language the program ships.

For each language, the PRM addons' translations are loaded, the language is
added to the website and a Partner Admin opens the dashboard (which shows the
tiles of every feature addon). No text of the page may be a PRM source string
whose translation differs from it: that would be a string the page shows
untranslated. The page must also show translated PRM strings.
"""

import pathlib

from babel.messages import pofile
from lxml import html

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, tagged

LANGUAGES = {"hu_HU": "hu", "ms_MY": "ms", "ru_RU": "ru"}
PRM_ADDONS = (
    "prm_base",
    "prm_portal",
    "prm_deal_registration",
    "prm_mdf",
    "prm_commission",
    "prm_training",
)
SKIPPED_TAGS = {"script", "style", "noscript"}


def _normalize(text):
    return " ".join(text.split())


@tagged("post_install", "-at_install")
class TestDashboardTranslations(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = cls.env["res.users"].search([("login", "=", "duna")])

    def _catalog(self, addon, name):
        """``{English source: translation}`` of an addon's ``i18n/<name>``
        (translations are empty in the ``.pot`` template)."""
        path = pathlib.Path(get_module_path(addon)) / "i18n" / name
        self.assertTrue(path.is_file(), f"{addon} has no {path.name}")
        with path.open("rb") as handle:
            catalog = pofile.read_po(handle)
        return {
            _normalize(message.id): _normalize(message.string or "")
            for message in catalog
            if message.id and isinstance(message.id, str)
        }

    def _texts(self, body):
        """The text nodes of the page body (the website's header, footer and
        breadcrumb come from Odoo, whose translations are not loaded here)."""
        tree = html.fromstring(body).get_element_by_id("wrap")
        texts = set()
        for element in tree.iter():
            if not isinstance(element.tag, str) or element.tag in SKIPPED_TAGS:
                continue
            for text in (element.text, element.tail):
                text = _normalize(text or "")
                if text:
                    texts.add(text)
        return texts

    def test_dashboard_has_no_untranslated_prm_string(self):
        self.assertTrue(self.user, "the demo Partner Admin 'duna' is missing")
        Module = self.env["ir.module.module"]
        website = self.env["website"].get_current_website()
        for code, iso in LANGUAGES.items():
            with self.subTest(lang=code):
                lang = self.env["res.lang"]._activate_lang(code)
                Module.search([("name", "in", PRM_ADDONS)])._update_translations([code])
                website.language_ids |= lang
                self.user.lang = code
                sources, translations = set(), {}
                for addon in PRM_ADDONS:
                    sources |= set(self._catalog(addon, f"{addon}.pot"))
                    translations.update(
                        (source, target)
                        for source, target in self._catalog(addon, f"{iso}.po").items()
                        if target
                    )
                # shown as is, a source string is untranslated unless its
                # translation is the same text (a name, an acronym)
                untranslated = {
                    source
                    for source in sources
                    if translations.get(source) != source
                    and any(c.isalpha() for c in source)
                }
                self.authenticate(self.user.login, self.user.login)
                response = self.url_open(f"/{lang.url_code}/my/partner")
                self.assertEqual(response.status_code, 200)
                texts = self._texts(response.text)
                self.assertFalse(
                    sorted(texts & untranslated),
                    f"{code}: PRM strings shown in English on the dashboard",
                )
                shown = {
                    translations[source]
                    for source in untranslated
                    if source in translations
                } & texts
                self.assertGreaterEqual(
                    len(shown), 10, f"{code}: the dashboard shows few PRM strings"
                )
