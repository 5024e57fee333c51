# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Print a JSON snapshot of a database, read through ``odoo shell``.

    odoo shell -d DB --no-http < tests/lifecycle/snapshot.py

The last line of output is ``PRM_SNAPSHOT {...}``:

- ``prm``: for every stored model of a ``prm_*`` addon, its record count, its
  highest id and the sum of its stored money fields (rounded to cents);
- ``core``: for the Odoo models PRM writes to (partners, leads, orders,
  invoices and bills, survey answers), the ids of the records that are not
  PRM's own data (no ``prm_*`` external id), and the total of the moves.
"""
# ruff: noqa: F821 - ``env`` is given by ``odoo shell``

import json

CORE_MODELS = (
    "res.partner",
    "res.users",
    "crm.lead",
    "sale.order",
    "account.move",
    "survey.user_input",
)


def prm_models(env):
    for name, model in sorted(env.registry.items()):
        module = getattr(model, "_original_module", "") or ""
        if not module.startswith("prm_"):
            continue
        if model._abstract or model._transient or not model._auto:
            continue
        yield name


def snapshot(env):
    result = {"prm": {}, "core": {}}
    for name in prm_models(env):
        Model = env[name].sudo().with_context(active_test=False)
        money = [
            field.name
            for field in Model._fields.values()
            if field.type == "monetary" and field.store
        ]
        aggregates = ["__count", "id:max"] + [f"{f}:sum" for f in money]
        row = Model._read_group([], [], aggregates)[0]
        result["prm"][name] = {
            "count": row[0],
            "max_id": row[1] or 0,
            "money": round(sum(value or 0.0 for value in row[2:]), 2),
        }
    for name in CORE_MODELS:
        if name not in env:
            continue
        Model = env[name].sudo().with_context(active_test=False)
        env.cr.execute(
            """
            SELECT array_agg(t.id ORDER BY t.id)
              FROM %s t
             WHERE NOT EXISTS (
                   SELECT 1 FROM ir_model_data d
                    WHERE d.model = %%s AND d.res_id = t.id
                      AND d.module LIKE 'prm\\_%%%%')
            """
            % Model._table,
            [name],
        )
        result["core"][name] = env.cr.fetchone()[0] or []
    env.cr.execute(
        """
        SELECT m.id, ROUND(m.amount_total_signed::numeric, 2)
          FROM account_move m
         WHERE m.state = 'posted'
           AND NOT EXISTS (
               SELECT 1 FROM ir_model_data d
                WHERE d.model = 'account.move' AND d.res_id = m.id
                  AND d.module LIKE 'prm\\_%%')
        """
    )
    result["posted"] = {
        str(move_id): float(total) for move_id, total in env.cr.fetchall()
    }
    return result


print("PRM_SNAPSHOT " + json.dumps(snapshot(env), sort_keys=True))
