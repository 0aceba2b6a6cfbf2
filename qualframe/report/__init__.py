"""Reports: the study written up (HTML now; Word and COREQ structure in later sections)."""
