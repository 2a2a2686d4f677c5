"""The network side of key sources: bounded HTTP GETs (:mod:`.http`) and issuer discovery (:mod:`.discovery`)."""
