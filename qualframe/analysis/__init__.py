"""Analysis: from codings to findings (matrices, prevalence, reliability, saturation, themes)."""
