# cython: language_level=3, boundscheck=False, wraparound=False
"""Registered-claim checks (RFC 7519 §4.1) -- compiled twin of :mod:`cyjose._speedups.claims_py`.

The reference is the pure-Python twin: same order of checks, exception
classes and messages. ``exp``, ``nbf`` and ``iat`` must be JSON numbers
(``int`` or ``float``; booleans, NaN, infinities and numeric strings are
refused); a fractional time is truncated toward zero before it is compared,
and an integer time is compared exactly, as Python compares ``int`` with
``float``.

An exact ``dict`` payload with this module's :class:`ClaimRules` and an exact
``float``/``int`` ``now`` takes the typed fast path; anything else is handed to
the reference itself.
"""

from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_FromDouble
from cpython.long cimport PyLong_AsDouble, PyLong_AsLongLongAndOverflow
from cpython.number cimport PyNumber_Float
from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject, Py_GT, Py_LE, PyObject_RichCompareBool
from libc.math cimport isfinite, trunc

from . import claims_py as _reference
from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

__all__ = ["ClaimRules", "check_claims"]

# Integers up to 2**53 in magnitude are exact as doubles, so comparing them
# as doubles gives the exact answer Python gives for int-vs-float.
cdef long long _EXACT = 1LL << 53


cdef class ClaimRules:
    """Claim checks prepared once: what to verify and the expected values.

    ``audience`` is ``None``, a ``str`` or a tuple of ``str``; ``issuer`` is
    ``None``, a ``str`` or any container of ``str``; ``leeway`` is in seconds.
    Callers normalise the values; see :func:`cyjose.verifier.build_claim_rules`.
    """

    cdef readonly tuple require
    cdef readonly bint verify_exp
    cdef readonly bint verify_nbf
    cdef readonly bint verify_iat
    cdef readonly bint verify_iss
    cdef readonly bint verify_aud
    cdef readonly bint verify_sub
    cdef readonly bint verify_jti
    cdef readonly bint strict_aud
    cdef readonly object audience
    cdef readonly object issuer
    cdef readonly object subject
    cdef readonly double leeway

    def __init__(
        self,
        require=(),
        verify_exp=True,
        verify_nbf=True,
        verify_iat=True,
        verify_iss=True,
        verify_aud=True,
        verify_sub=True,
        verify_jti=True,
        strict_aud=False,
        audience=None,
        issuer=None,
        subject=None,
        leeway=0.0,
    ):
        self.require = tuple(require)
        self.verify_exp = bool(verify_exp)
        self.verify_nbf = bool(verify_nbf)
        self.verify_iat = bool(verify_iat)
        self.verify_iss = bool(verify_iss)
        self.verify_aud = bool(verify_aud)
        self.verify_sub = bool(verify_sub)
        self.verify_jti = bool(verify_jti)
        self.strict_aud = bool(strict_aud)
        self.audience = audience
        self.issuer = issuer
        self.subject = subject
        self.leeway = PyFloat_AS_DOUBLE(PyNumber_Float(leeway))  # float(leeway)


def check_claims(payload, rules, now):
    """Check ``payload`` against ``rules`` at time ``now`` (seconds since the epoch).

    Raises the :mod:`cyjose.exceptions` class and message PyJWT raises for the
    same failure; returns None when every check passes.
    """
    if type(payload) is dict and type(rules) is ClaimRules and (type(now) is float or type(now) is int):
        _check_fast(<dict>payload, <ClaimRules>rules, now)
    else:
        _reference.check_claims(payload, rules, now)


# ----------------------------------------------------------------- fast path

cdef inline double _as_double(object now) except? -1.0:
    # ``now`` is an exact float or int; an int too large raises OverflowError
    # exactly where ``now + leeway`` raises it in the reference.
    if type(now) is float:
        return PyFloat_AS_DOUBLE(now)
    return PyLong_AsDouble(now)


cdef int _time_compare(object value, object now, double offset, bint greater) except -1:
    """``_reference._numeric_date(value) > now + offset`` (or ``<=`` when not ``greater``).

    Returns 1 or 0, or 2 when ``value`` is not a finite JSON number.
    """
    cdef double v
    cdef long long whole
    cdef int overflow = 0
    cdef object number
    if type(value) is float:
        v = PyFloat_AS_DOUBLE(value)
        if not isfinite(v):
            return 2
        v = trunc(v)  # int(value), exactly representable
    elif type(value) is int:
        whole = PyLong_AsLongLongAndOverflow(value, &overflow)
        if overflow or whole > _EXACT or whole < -_EXACT:
            return PyObject_RichCompareBool(
                value, PyFloat_FromDouble(_as_double(now) + offset), Py_GT if greater else Py_LE)
        v = <double>whole
    else:
        number = _reference._numeric_date(value)
        if number is None:
            return 2
        return PyObject_RichCompareBool(
            number, PyFloat_FromDouble(_as_double(now) + offset), Py_GT if greater else Py_LE)
    if greater:
        return v > _as_double(now) + offset
    return v <= _as_double(now) + offset


cdef object _ABSENT = object()  # distinct from a JSON null, which is a present claim


cdef inline object _claim(dict payload, str name):
    """``payload[name]`` in one lookup, or ``_ABSENT``."""
    cdef PyObject *found = PyDict_GetItem(payload, name)
    return <object>found if found != NULL else _ABSENT


cdef int _check_fast(dict payload, ClaimRules rules, object now) except -1:
    cdef int result
    for claim in rules.require:
        if payload.get(claim) is None:
            raise MissingRequiredClaimError(claim)
    if rules.verify_iat:
        value = _claim(payload, "iat")
        if value is not _ABSENT:
            result = _time_compare(value, now, rules.leeway, True)
            if result == 2:
                raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
            if result:
                raise ImmatureSignatureError("The token is not yet valid (iat)")
    if rules.verify_nbf:
        value = _claim(payload, "nbf")
        if value is not _ABSENT:
            result = _time_compare(value, now, rules.leeway, True)
            if result == 2:
                raise DecodeError("Not Before claim (nbf) must be an integer.")
            if result:
                raise ImmatureSignatureError("The token is not yet valid (nbf)")
    if rules.verify_exp:
        value = _claim(payload, "exp")
        if value is not _ABSENT:
            # now - leeway == now + (-leeway) exactly in IEEE arithmetic.
            result = _time_compare(value, now, -rules.leeway, False)
            if result == 2:
                raise DecodeError("Expiration Time claim (exp) must be an integer.")
            if result:
                raise ExpiredSignatureError("Signature has expired")
    if rules.verify_iss and rules.issuer is not None:
        _check_issuer_fast(payload, rules.issuer)
    if rules.verify_aud:
        _check_audience_fast(payload, rules.audience, rules.strict_aud)
    if rules.verify_sub:
        value = _claim(payload, "sub")
        if value is not _ABSENT:
            if not isinstance(value, str):
                raise InvalidSubjectError("Subject must be a string")
            if rules.subject is not None and value != rules.subject:
                raise InvalidSubjectError("Invalid subject")
    if rules.verify_jti:
        value = _claim(payload, "jti")
        if value is not _ABSENT and not isinstance(value, str):
            raise InvalidJTIError("JWT ID must be a string")
    return 0


cdef int _check_issuer_fast(dict payload, object issuer) except -1:
    iss = _claim(payload, "iss")
    if iss is _ABSENT:
        raise MissingRequiredClaimError("iss")
    if not isinstance(iss, str):
        raise InvalidIssuerError("Payload Issuer (iss) must be a string")
    if isinstance(issuer, str):
        if iss != issuer:
            raise InvalidIssuerError("Invalid issuer")
        return 0
    try:
        allowed = iss in issuer
    except TypeError:
        raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None
    if not allowed:
        raise InvalidIssuerError("Invalid issuer")
    return 0


cdef int _check_audience_fast(dict payload, object audience, bint strict) except -1:
    claim = payload.get("aud")
    if audience is None:
        if claim:
            raise InvalidAudienceError("Invalid audience")
        return 0
    if not claim:
        raise MissingRequiredClaimError("aud")
    if strict:
        if not isinstance(audience, str):
            raise InvalidAudienceError("Invalid audience (strict)")
        if not isinstance(claim, str):
            raise InvalidAudienceError("Invalid claim format in token (strict)")
        if claim != audience:
            raise InvalidAudienceError("Audience doesn't match (strict)")
        return 0
    if type(claim) is str and type(audience) is str:  # the common case, without containers
        if claim != audience:
            raise InvalidAudienceError("Audience doesn't match")
        return 0
    if isinstance(claim, str):
        claim = [claim]
    elif not isinstance(claim, list):
        raise InvalidAudienceError("Invalid claim format in token")
    else:
        for item in <list>claim:
            if not isinstance(item, str):
                raise InvalidAudienceError("Invalid claim format in token")
    expected = (audience,) if isinstance(audience, str) else audience
    for item in expected:
        if item in claim:
            return 0
    raise InvalidAudienceError("Audience doesn't match")
