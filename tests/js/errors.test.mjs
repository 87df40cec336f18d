// What the AWS SDK for JavaScript v3 makes of lsnotify's errors: modeled classes, unserved operations, SigV4.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DeleteContactMethodCommand,
  GetContactMethodsCommand,
  GetInstancesCommand,
  InvalidInputException,
  LightsailServiceException,
  NotFoundException,
} from "@aws-sdk/client-lightsail";
import { UUID, lightsail, rejectsWith } from "./helpers.mjs";

test("a missing contact method is the SDK's modeled NotFoundException", async () => {
  const error = await rejectsWith(
    lightsail("ap-south-1").send(new DeleteContactMethodCommand({ protocol: "Email" })),
    NotFoundException,
  );
  assert.ok(error instanceof LightsailServiceException);
  assert.equal(error.name, "NotFoundException");
  // Lightsail's own members of the exception shape are deserialized too.
  assert.equal(typeof error.docs, "string");
  assert.match(error.message, /^protocol: /);
});

test("a field the model forbids is the SDK's modeled InvalidInputException", async () => {
  const error = await rejectsWith(
    lightsail("ap-south-1").send(new GetContactMethodsCommand({ protocols: ["Carrier pigeon"] })),
    InvalidInputException,
  );
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /protocols\[0\]/);
});

test("an operation lsnotify does not serve is refused with an error that names it", async () => {
  const error = await rejectsWith(lightsail("ap-south-1").send(new GetInstancesCommand({})), LightsailServiceException);
  assert.equal(error.name, "UnsupportedOperationException");
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /^GetInstances is a Lightsail operation that lsnotify does not serve/);
  assert.match(error.$metadata.requestId, UUID);
});

test("SigV4: an unknown access key and a wrong secret are refused", async () => {
  const unknown = lightsail("ap-south-1", {
    credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever" },
  });
  const unrecognized = await rejectsWith(unknown.send(new GetContactMethodsCommand({})), LightsailServiceException);
  assert.equal(unrecognized.name, "UnrecognizedClientException");

  const wrongSecret = lightsail("ap-south-1", {
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: "not-the-secret" },
  });
  const invalid = await rejectsWith(wrongSecret.send(new GetContactMethodsCommand({})), LightsailServiceException);
  assert.equal(invalid.name, "InvalidSignatureException");
  assert.match(invalid.message, /signature we calculated does not match/);

  // The right key, signed by the SDK with its own header set (x-amz-content-sha256, amz-sdk-*, ...), is accepted.
  const { contactMethods } = await lightsail("ap-south-1").send(new GetContactMethodsCommand({}));
  assert.deepEqual(contactMethods, []);
});
