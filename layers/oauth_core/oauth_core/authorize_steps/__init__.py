"""The authorization endpoint's steps, which ``authorize_endpoint`` reads as a list: the sign-in flow
(``flows``), the signed-in browser (``browser_session``), the password (``login``), and the decision with
the answer to the client (``decision``). Imports nothing, like the package above it (cold start)."""
