# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from ..models.prm_deal_conflict import MAX_NAME_MATCHES
from .common import DealCommon


@tagged("post_install", "-at_install")
class TestConflict(DealCommon):
    """Scoring of a submitted registration against the other channels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # B works on Acme already
        cls.reg_b = cls._submitted(cls.partner_b)
        # no identifier in common with Acme, unless a test adds one
        cls.blank = {
            "customer_vat": False,
            "customer_website": False,
            "customer_email": "office@gmail.com",
            "contact_email": False,
        }

    def _conflict_with(self, registration, matched):
        conflicts = registration.conflict_ids.filtered(
            lambda c: (
                matched
                in (
                    c.matched_registration_id,
                    c.matched_lead_id,
                    c.matched_partner_id,
                )
            )
        )
        self.assertEqual(len(conflicts), 1, "one conflict row per matched record")
        return conflicts

    def test_same_vat(self):
        registration = self._submitted(
            self.partner_gold,
            **dict(
                self.blank,
                customer_name="Totally Other Name Ltd",
                customer_vat="hu 1234 5678",
            ),
        )
        conflict = self._conflict_with(registration, self.reg_b)
        self.assertTrue(conflict.vat_match)
        self.assertFalse(conflict.domain_match)
        self.assertEqual(conflict.match_type, "registration")
        self.assertEqual(conflict.country_match, "same")
        self.assertEqual(conflict.score, 80)
        self.assertTrue(conflict.is_blocking)
        self.assertEqual(conflict.matched_channel_partner_id, self.partner_b)
        # the tier would auto-approve, the conflict sends it to review
        self.assertEqual(registration.state, "submitted")
        self.assertTrue(registration.has_conflict)
        self.assertEqual(registration.conflict_score, 80)

    def test_same_domain(self):
        registration = self._submitted(
            self.partner_gold,
            **dict(
                self.blank,
                customer_name="Something Else Bt.",
                contact_email="peter@ACME.example.hu",
            ),
        )
        conflict = self._conflict_with(registration, self.reg_b)
        self.assertTrue(conflict.domain_match)
        self.assertFalse(conflict.vat_match)
        self.assertEqual(conflict.score, 60)
        self.assertTrue(conflict.is_blocking)
        self.assertEqual(registration.domain_normalized, "acme.example.hu")

    def test_similar_names(self):
        """'ACME Kft.' against 'Acme Kft': same normalized name, trigram
        similarity 1."""
        registration = self._submitted(
            self.partner_gold, **dict(self.blank, customer_name="Acme Kft")
        )
        conflict = self._conflict_with(registration, self.reg_b)
        self.assertEqual(conflict.name_similarity, 1.0)
        self.assertEqual(conflict.score, 60)
        self.assertTrue(conflict.is_blocking)
        # a close name is similar, but less
        other = self._submitted(
            self.partner_gold, **dict(self.blank, customer_name="Acmee Kft.")
        )
        similar = self._conflict_with(other, self.reg_b)
        self.assertTrue(0.5 <= similar.name_similarity < 1.0, similar.name_similarity)
        self.assertLess(similar.score, conflict.score)
        self.assertIn("similar name", similar.reasons)
        # an unrelated name does not match at all
        unrelated = self._submitted(
            self.partner_gold, **dict(self.blank, customer_name="Globex Zrt.")
        )
        self.assertFalse(unrelated.conflict_ids)
        self.assertEqual(unrelated.state, "approved")

    def test_different_country_lowers_score(self):
        same_country = self._submitted(
            self.partner_gold, **dict(self.blank, customer_name="Acme GmbH")
        )
        other_country = self._submitted(
            self.partner_gold,
            **dict(self.blank, customer_name="Acme GmbH"),
            customer_country_id=self.germany.id,
        )
        same = self._conflict_with(same_country, self.reg_b)
        different = self._conflict_with(other_country, self.reg_b)
        self.assertEqual(same.country_match, "same")
        self.assertEqual(different.country_match, "different")
        self.assertEqual(same.score - different.score, 30)
        self.assertTrue(same.is_blocking)
        self.assertFalse(different.is_blocking)
        self.assertIn("different country", different.reasons)
        # below the threshold: the gold tier's registration is approved, the
        # match stays visible to the reviewers
        self.assertEqual(other_country.state, "approved")
        self.assertEqual(same_country.state, "submitted")

    def test_generic_mail_domain_ignored(self):
        gmail_b = self._submitted(
            self.partner_b,
            **dict(
                self.blank,
                customer_name="Alpha Trading",
                customer_email="alpha.trading@gmail.com",
            ),
        )
        gmail_gold = self._submitted(
            self.partner_gold,
            **dict(
                self.blank,
                customer_name="Omega Services",
                contact_email="omega.services@gmail.com",
            ),
        )
        self.assertFalse(gmail_b.domain_normalized)
        self.assertFalse(gmail_gold.domain_normalized)
        self.assertFalse(gmail_gold.conflict_ids)
        self.assertEqual(gmail_gold.state, "approved")
        # the system parameter extends the list of generic providers
        self.env["ir.config_parameter"].sudo().set_param(
            "prm_deal_registration.generic_mail_domains", "acme.example.hu"
        )
        self.assertFalse(
            self._registration(
                self.partner_gold, customer_website="www.acme.example.hu"
            ).domain_normalized
        )

    def test_own_registrations_do_not_conflict(self):
        registration = self._submitted(self.partner_b, customer_name="ACME Kft")
        self.assertFalse(registration.conflict_ids)

    def test_open_opportunity_and_customer(self):
        customer = self.env["res.partner"].create(
            {
                "name": "Initech Kft.",
                "is_company": True,
                "vat": "HU87654321",
                "country_id": self.hungary.id,
                "customer_rank": 1,
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Initech network",
                "type": "opportunity",
                "partner_name": "INITECH kft",
                "website": "initech.example.hu",
                "country_id": self.hungary.id,
                "prm_channel_partner_id": self.partner_b.id,
            }
        )
        won = self.env["crm.lead"].create(
            {
                "name": "Initech last year",
                "type": "opportunity",
                "partner_name": "Initech Kft.",
                "website": "initech.example.hu",
            }
        )
        won.action_set_won()
        registration = self._submitted(
            self.partner_a,
            customer_name="Initech Kft.",
            customer_vat="87654321",
            customer_website="www.initech.example.hu",
            contact_email=False,
        )
        lead_conflict = self._conflict_with(registration, lead)
        self.assertEqual(lead_conflict.match_type, "lead")
        self.assertTrue(lead_conflict.domain_match)
        self.assertEqual(lead_conflict.matched_channel_partner_id, self.partner_b)
        customer_conflict = self._conflict_with(registration, customer)
        self.assertEqual(customer_conflict.match_type, "customer")
        self.assertTrue(customer_conflict.vat_match)
        self.assertEqual(customer_conflict.score, 100)
        self.assertFalse(
            registration.conflict_ids.filtered(lambda c: c.matched_lead_id == won),
            "won opportunities are no conflict",
        )

    def test_both_channel_managers_notified(self):
        registration = self._submitted(
            self.partner_gold, **dict(self.blank, customer_name="ACME Kft")
        )
        conflict_type = self.env.ref(
            "prm_deal_registration.mail_activity_type_deal_conflict"
        )
        mine = registration.activity_ids.filtered(
            lambda a: a.activity_type_id == conflict_type
        )
        theirs = self.reg_b.activity_ids.filtered(
            lambda a: a.activity_type_id == conflict_type
        )
        self.assertEqual(mine.user_id, self.user_channel)
        self.assertEqual(theirs.user_id, self.user_channel_other)
        self.assertIn(registration.name, theirs.note)
        review = registration.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("prm_deal_registration.mail_activity_type_deal_review")
            )
        )
        self.assertEqual(review.user_id, self.user_channel)

    def test_conflicts_visible_to_the_reviewers_only(self):
        registration = self._submitted(
            self.partner_gold, **dict(self.blank, customer_name="ACME Kft")
        )
        Conflict = self.env["prm.deal.conflict"]
        self.assertIn(
            registration.conflict_ids,
            Conflict.with_user(self.user_channel).search([]),
        )
        # the other side's channel manager sees the conflict too
        self.assertIn(
            registration.conflict_ids,
            Conflict.with_user(self.user_channel_other).search([]),
        )
        self.assertFalse(Conflict.with_user(self.user_sales).has_access("read"))
        self.assertFalse(Conflict.with_user(self.portal_gold).has_access("read"))

    def test_detection_is_set_based(self):
        """The number of queries does not depend on the number of
        registrations checked (each one here matches B's registration)."""

        def queries(registrations):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            registrations._prm_detect_conflicts()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        def registration(index):
            return self._registration(
                self.partner_gold,
                **dict(
                    self.blank,
                    customer_name=f"Zyx{index} Industries",
                    customer_website="acme.example.hu",
                ),
            )

        one = registration(0)
        many = self.Registration.browse()
        for index in range(1, 11):
            many |= registration(index)
        # a first run warms the caches and leaves conflicts to replace
        queries(one)
        queries(many)
        count_one = queries(one)
        count_many = queries(many)
        self.assertEqual(len(one.conflict_ids), 1)
        self.assertEqual(len(many.conflict_ids), 10)
        self.assertEqual(count_one, count_many)


@tagged("post_install", "-at_install")
class TestConflictCap(DealCommon):
    """A common name matches many records: the registration keeps every tax ID
    and domain match, the best-scored name matches, and the total."""

    @classmethod
    def _customers(cls, names, **values):
        return cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "customer_rank": 1,
                    "country_id": cls.hungary.id,
                    **values,
                }
                for name in names
            ]
        )

    def _registration_of(self, customer_name, **values):
        """A draft of the gold partner with no key but the given ones."""
        blank = {
            "customer_vat": False,
            "customer_website": False,
            "customer_email": "office@gmail.com",
            "contact_email": False,
        }
        return self._registration(
            self.partner_gold, customer_name=customer_name, **dict(blank, **values)
        )

    def test_best_matches_kept_and_total_reported(self):
        cap = MAX_NAME_MATCHES
        # same name, same country: similarity 1, score 60
        exact = self._customers(["Quuxtronic Systems Kft."] * 3)
        # same name in another country: similarity 1, but score 30
        abroad = self._customers(
            ["Quuxtronic Systems GmbH"] * 2, country_id=self.germany.id
        )
        # a close name in the same country: scores between the two
        close = self._customers(
            [f"Quuxtronic Systems {index}" for index in range(cap + 2)]
        )
        # an unrelated name with the same tax ID: always kept
        same_vat = self._customers(["Globex Holding Zrt."], vat="HU11223344")
        registration = self._registration_of(
            "Quuxtronic Systems", customer_vat="HU11223344"
        )
        registration._prm_detect_conflicts()

        conflicts = registration.conflict_ids
        self.assertEqual(set(conflicts.mapped("match_type")), {"customer"})
        kept = conflicts.matched_partner_id
        self.assertEqual(len(conflicts), cap + 1, "the tax ID match and the best names")
        self.assertIn(same_vat, kept)
        vat_conflict = conflicts.filtered("vat_match")
        self.assertEqual(vat_conflict.matched_partner_id, same_vat)
        self.assertEqual(vat_conflict.score, 80)
        self.assertLessEqual(exact, kept, "the best name matches are all kept")
        self.assertFalse(abroad & kept, "the weakest name matches are left out")
        self.assertEqual(len(close & kept), cap - len(exact))
        name_scores = (conflicts - vat_conflict).mapped("score")
        self.assertEqual(max(name_scores), 60)
        # the kept name matches score at least as much as the left out ones
        left_out = (close - kept).mapped(
            lambda partner: self.env["prm.deal.conflict"]._prm_score(
                False,
                False,
                self._similarity(partner.prm_name_normalized, "quuxtronic systems"),
                (self.hungary.id, self.hungary.id),
            )[0]
        )
        self.assertTrue(left_out)
        self.assertLessEqual(max(left_out), min(name_scores))
        # nothing silently lost: every row tells how many records matched
        total = len(exact | abroad | close | same_vat)
        self.assertEqual(set(conflicts.mapped("match_count")), {total})
        # the score and the review do not depend on the cut
        self.assertEqual(registration.conflict_score, 80)
        self.assertTrue(registration.has_conflict)

    def test_exact_matches_never_cut(self):
        """Tax ID and domain matches are kept beyond the cap."""
        cap = MAX_NAME_MATCHES
        same_vat = self._customers(
            [f"Vendor {index} Bt." for index in range(cap + 3)], vat="HU55667788"
        )
        same_domain = self._customers(
            [f"Supplier {index} Bt." for index in range(2)],
            website="https://www.frobozz.example.hu",
        )
        registration = self._registration_of(
            "Frobozz Works",
            customer_vat="HU55667788",
            customer_website="frobozz.example.hu",
        )
        registration._prm_detect_conflicts()
        conflicts = registration.conflict_ids
        self.assertEqual(conflicts.matched_partner_id, same_vat | same_domain)
        self.assertEqual(
            set(conflicts.mapped("match_count")), {len(same_vat | same_domain)}
        )

    def test_query_count_independent_of_candidates(self):
        """The number of queries does not grow with the number of matching
        records: the cut happens in the database."""
        self._customers([f"Zorkmid Works {index}" for index in range(2)])
        self._customers(
            [f"Grue Works {index}" for index in range(3 * MAX_NAME_MATCHES)]
        )
        few = self._registration_of("Zorkmid Works")
        many = self._registration_of("Grue Works")

        def queries(registration):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            registration._prm_detect_conflicts()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        # a first run warms the caches and leaves conflicts to replace
        queries(few)
        queries(many)
        count_few = queries(few)
        count_many = queries(many)
        self.assertEqual(len(few.conflict_ids), 2)
        self.assertEqual(len(many.conflict_ids), MAX_NAME_MATCHES)
        self.assertEqual(set(many.conflict_ids.mapped("match_count")), {30})
        self.assertEqual(count_few, count_many)

    def _similarity(self, left, right):
        self.env.cr.execute("SELECT similarity(%s, %s)", [left, right])
        return self.env.cr.fetchone()[0]
