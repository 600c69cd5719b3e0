"""The maillage planner as a use case: its limits and messages (`limits`), the request
checked, read and solved (`compute.plan_compute`, shared by the page, the API and `maillage
plan`), the page's form and views. The optimisation itself is the pure `observatory.planner`."""
