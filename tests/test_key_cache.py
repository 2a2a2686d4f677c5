"""The prepared-key cache behind decode(): by value for secrets/PEM, by identity for key objects."""

from __future__ import annotations

import sample_keys as keys

from cyjose import _jws
from cyjose.api_jws import get_algorithm_by_name


def test_key_object_is_prepared_once_per_object():
    algorithm = get_algorithm_by_name("RS256")
    public = keys.public("RS256")
    first = _jws.bind_cached(algorithm, public)
    assert _jws.bind_cached(algorithm, public) is first
    # An equal key in another object is a different cache entry (no equality on key objects).
    other_object = keys.private("RS256").public_key()
    assert _jws.bind_cached(algorithm, other_object) is not first


def test_secret_is_prepared_once_per_value_and_type():
    algorithm = get_algorithm_by_name("HS256")
    secret = keys.secret("HS256")
    first = _jws.bind_cached(algorithm, secret)
    assert _jws.bind_cached(algorithm, bytes(bytearray(secret))) is first  # same value, new object
    assert _jws.bind_cached(algorithm, secret.decode("latin-1")) is not first  # str is another key type


def test_same_key_for_another_algorithm_is_another_entry():
    secret = keys.secret("HS512")
    assert _jws.bind_cached(get_algorithm_by_name("HS256"), secret) is not _jws.bind_cached(
        get_algorithm_by_name("HS512"), secret
    )
