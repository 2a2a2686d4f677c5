"""Key material: JWK members <-> ``cryptography`` keys (:mod:`.jwk`), PEM/DER/SSH and secrets
(:mod:`.formats`), and the algorithm tables keys are checked against (:mod:`.tables`)."""
