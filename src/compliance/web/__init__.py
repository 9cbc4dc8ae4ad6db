"""``compliance serve``: the web page and HTTP API, a thin shell like ``cli.py``.

* :mod:`.uploads`: what a request sent (file names, the readers by extension,
  the limits), parsed from a multipart stream into memory within the limits;
* :mod:`.service`: checks uploads with the library (:class:`~compliance.check.Checker`)
  in a temporary folder removed after the request, within a time limit;
* :mod:`.app`: the Starlette application (page, API, security headers);
* :mod:`.openapi`: the API's OpenAPI description.

Only :mod:`.app` and :mod:`.uploads` import the optional ``web`` extra
(Starlette, python-multipart); ``compliance serve`` says how to install it.
"""
