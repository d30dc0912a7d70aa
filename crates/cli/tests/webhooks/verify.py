"""Verifies webhook deliveries with the Standard Webhooks reference library (PyPI standardwebhooks).

Reads a JSON array of cases from stdin, each {"name", "secret", "body", "headers"}, and prints a
JSON array of results, each {"name", "verified", "payload"} or {"name", "verified": false, "error"}.
"""

import json
import sys

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


def main() -> None:
    results = []
    for case in json.load(sys.stdin):
        try:
            payload = Webhook(case["secret"]).verify(case["body"], case["headers"])
            results.append({"name": case["name"], "verified": True, "payload": payload})
        except WebhookVerificationError as error:
            results.append({"name": case["name"], "verified": False, "error": str(error)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
