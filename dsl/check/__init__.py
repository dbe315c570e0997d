"""The checker's passes, each over one shared `Environment` (the driver that runs them is `dsl.checker`).

In the order the driver runs them: `declarations` (headers, ids, données), `parametres`, `elements`
(critères, briques, majorations, minimums), `version` (its prorata, its exercises), `usage` (cycles of
`atteint`), `requirements` (what the payment rules read), `cases`, and `usage` again (what nobody reads).
`expressions` types and lowers every expression for them; `wording` writes values in messages.
"""
