// Shared by the JS tests: clients for the server that tests/e2e/test_javascript.py started.
//
// The wrapper passes a fresh account through the standard variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_ENDPOINT_URL_LIGHTSAIL, AWS_REGION), so the SDK finds the server as a user's program would. Records are
// scoped by (account, region), and test files run in parallel: every test works in a region of its own.
import assert from "node:assert/strict";
import { LightsailClient } from "@aws-sdk/client-lightsail";

export const ACCOUNT_ID = process.env.LSNOTIFY_TEST_ACCOUNT_ID;
export const ENDPOINT = process.env.AWS_ENDPOINT_URL_LIGHTSAIL;
assert.match(ACCOUNT_ID ?? "", /^[0-9]{12}$/, "run these tests through pytest tests/e2e/test_javascript.py");

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A Lightsail client for `region`; the endpoint and credentials come from the environment. */
export function lightsail(region, config = {}) {
  return new LightsailClient({ region, maxAttempts: 1, ...config });
}

/** Await `promise`, which must reject with an instance of `ErrorClass`; return the error. */
export async function rejectsWith(promise, ErrorClass) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected ${ErrorClass.name}, but the call succeeded`);
  assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error?.name}: ${error?.message}`);
  return error;
}
