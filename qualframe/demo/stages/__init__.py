"""The demo study's stages after import and reference coding, in the order ``build_demo`` runs them.

They belong to the bundled Houghton et al. (2024) study, not to the method: each stage drives the
same public services a researcher uses (a second coder, themes and charted cells; network review;
the simulator on the study's cohorts; pseudonymisation), so the demo exercises the real paths.
"""

__all__: list[str] = []
