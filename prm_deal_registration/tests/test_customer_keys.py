# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import BaseCase, tagged

from ..models.customer_keys import normalize_domain, normalize_name, normalize_vat


@tagged("post_install", "-at_install")
class TestCustomerKeys(BaseCase):
    def test_vat(self):
        self.assertEqual(normalize_vat("HU 1234-5678", "HU"), "12345678")
        self.assertEqual(normalize_vat("hu12345678", "HU"), "12345678")
        # Hungarian domestic tax number: its first 8 digits are the EU VAT number
        self.assertEqual(normalize_vat("12345678-2-42", "HU"), "12345678")
        self.assertEqual(normalize_vat("EL 123.456.789", "GR"), "123456789")
        self.assertEqual(normalize_vat("DE123456789", "AT"), "DE123456789")
        self.assertEqual(normalize_vat("DE123456789", None), "DE123456789")
        self.assertFalse(normalize_vat(" - ", "HU"))
        self.assertFalse(normalize_vat(False, "HU"))

    def test_domain(self):
        self.assertEqual(normalize_domain("https://www.Acme.hu/contact"), "acme.hu")
        self.assertEqual(normalize_domain("acme.hu"), "acme.hu")
        self.assertEqual(normalize_domain("http://shop.acme.hu:8080"), "shop.acme.hu")
        self.assertEqual(normalize_domain(False, "Info@ACME.hu"), "acme.hu")
        # generic mail providers say nothing about the company
        self.assertFalse(normalize_domain(False, "acme.hungary@gmail.com"))
        self.assertFalse(normalize_domain(None, "a@freemail.hu", "b@mail.ru"))
        self.assertEqual(
            normalize_domain(None, "a@yandex.ru", "b@romashka.example.ru"),
            "romashka.example.ru",
        )
        self.assertFalse(normalize_domain("not a website"))

    def test_name(self):
        self.assertEqual(normalize_name("ACME Kft."), "acme")
        self.assertEqual(normalize_name("Acme Kft"), normalize_name("ACME Kft."))
        self.assertEqual(normalize_name("Menara Tech Sdn. Bhd."), "menara tech")
        self.assertEqual(normalize_name("Alföld Digital Zrt."), "alfold digital")
        self.assertEqual(normalize_name("ООО «Ромашка»"), "ромашка")
        self.assertEqual(normalize_name("Müller & Söhne GmbH"), "muller sohne")
        # a name made of a legal form only is kept
        self.assertEqual(normalize_name("Kft."), "kft")
        self.assertFalse(normalize_name(""))
