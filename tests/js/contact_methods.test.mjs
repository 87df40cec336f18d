// Contact methods through the AWS SDK for JavaScript v3: create (Email, SMS), get, delete, send verification.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateContactMethodCommand,
  DeleteContactMethodCommand,
  GetContactMethodsCommand,
  InvalidInputException,
  NotFoundException,
  SendContactMethodVerificationCommand,
} from "@aws-sdk/client-lightsail";
import { ACCOUNT_ID, ENDPOINT, UUID, lightsail, rejectsWith } from "./helpers.mjs";

test("an Email contact method is created pending verification, with its operation", async () => {
  const client = lightsail("us-east-1");
  const before = Date.now();
  const created = await client.send(
    new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "js@example.com" }),
  );
  assert.equal(created.$metadata.httpStatusCode, 200);
  assert.match(created.$metadata.requestId, UUID);
  const [op] = created.operations;
  assert.equal(created.operations.length, 1);
  assert.equal(op.operationType, "CreateContactMethod");
  assert.equal(op.resourceType, "ContactMethod");
  assert.equal(op.resourceName, "Email-us-east-1");
  assert.equal(op.status, "Succeeded");
  assert.equal(op.isTerminal, true);
  assert.deepEqual(op.location, { availabilityZone: "all", regionName: "us-east-1" });
  assert.match(op.id, UUID);
  // Timestamps arrive as epoch numbers, which the SDK turns into Dates.
  assert.ok(op.createdAt instanceof Date);
  assert.ok(Math.abs(op.createdAt.getTime() - before) < 60_000, `createdAt ${op.createdAt.toISOString()}`);

  const { contactMethods } = await client.send(new GetContactMethodsCommand({}));
  assert.equal(contactMethods.length, 1);
  const [cm] = contactMethods;
  assert.equal(cm.protocol, "Email");
  assert.equal(cm.contactEndpoint, "js@example.com");
  assert.equal(cm.status, "PendingVerification");
  assert.equal(cm.name, "Email-us-east-1");
  assert.match(cm.arn, new RegExp(`^arn:aws:lightsail:us-east-1:${ACCOUNT_ID}:ContactMethod/`));
  assert.equal(cm.resourceType, "ContactMethod");
  assert.ok(cm.supportCode.startsWith(`${ACCOUNT_ID}/`));
  assert.deepEqual(cm.tags, []);
  assert.ok(cm.createdAt instanceof Date);
});

test("an SMS contact method is Valid at once; the protocols filter selects it", async () => {
  const client = lightsail("us-west-2");
  await client.send(new CreateContactMethodCommand({ protocol: "SMS", contactEndpoint: "+14255550100" }));
  await client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "sms-test@example.com" }));

  const all = await client.send(new GetContactMethodsCommand({}));
  assert.deepEqual(
    all.contactMethods.map((cm) => cm.protocol),
    ["Email", "SMS"],
  );
  const sms = await client.send(new GetContactMethodsCommand({ protocols: ["SMS"] }));
  assert.equal(sms.contactMethods.length, 1);
  assert.equal(sms.contactMethods[0].contactEndpoint, "+14255550100");
  assert.equal(sms.contactMethods[0].status, "Valid");
  assert.equal(sms.contactMethods[0].name, "SMS-us-west-2");
});

test("delete removes the contact method; deleting it again is a NotFoundException", async () => {
  const client = lightsail("eu-west-1");
  await client.send(new CreateContactMethodCommand({ protocol: "SMS", contactEndpoint: "+447911123456" }));
  const deleted = await client.send(new DeleteContactMethodCommand({ protocol: "SMS" }));
  assert.equal(deleted.operations[0].operationType, "DeleteContactMethod");
  assert.equal(deleted.operations[0].resourceName, "SMS-eu-west-1");
  assert.deepEqual((await client.send(new GetContactMethodsCommand({}))).contactMethods, []);

  const error = await rejectsWith(client.send(new DeleteContactMethodCommand({ protocol: "SMS" })), NotFoundException);
  assert.equal(error.name, "NotFoundException");
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.$metadata.requestId, UUID);
  assert.match(error.message, /protocol: there is no SMS contact method in eu-west-1/);
  assert.equal(error.$fault, "client");
});

test("send verification restarts an Email verification, and refuses SMS and a missing method", async () => {
  const client = lightsail("ap-northeast-1");
  const missing = await rejectsWith(
    client.send(new SendContactMethodVerificationCommand({ protocol: "Email" })),
    NotFoundException,
  );
  assert.match(missing.message, /no Email contact method in ap-northeast-1/);

  await client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "verify@example.com" }));
  const sent = await client.send(new SendContactMethodVerificationCommand({ protocol: "Email" }));
  assert.equal(sent.operations[0].operationType, "SendContactMethodVerification");
  assert.equal(sent.operations[0].resourceName, "Email-ap-northeast-1");
  const [cm] = (await client.send(new GetContactMethodsCommand({}))).contactMethods;
  assert.equal(cm.status, "PendingVerification");

  const sms = await rejectsWith(
    client.send(new SendContactMethodVerificationCommand({ protocol: "SMS" })),
    InvalidInputException,
  );
  // The model itself allows only Email here, so the shape check refuses it first.
  assert.match(sms.message, /^protocol: must be one of Email \(got "SMS"\)/);
});

test("invalid input is an InvalidInputException naming the field, and nothing is stored", async () => {
  const client = lightsail("ap-southeast-2");
  const email = await rejectsWith(
    client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "not-an-address" })),
    InvalidInputException,
  );
  assert.equal(email.name, "InvalidInputException");
  assert.equal(email.$metadata.httpStatusCode, 400);
  assert.match(email.message, /^contactEndpoint: "not-an-address" is not a valid email address/);

  const phone = await rejectsWith(
    client.send(new CreateContactMethodCommand({ protocol: "SMS", contactEndpoint: "0425 555 0100" })),
    InvalidInputException,
  );
  assert.match(phone.message, /^contactEndpoint: .* is not an E\.164 phone number/);

  // The model's own enum: the SDK does not check it, the server does.
  const protocol = await rejectsWith(
    client.send(new CreateContactMethodCommand({ protocol: "Pigeon", contactEndpoint: "a@example.com" })),
    InvalidInputException,
  );
  assert.match(protocol.message, /protocol/);

  await client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "first@example.com" }));
  const second = await rejectsWith(
    client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "second@example.com" })),
    InvalidInputException,
  );
  assert.match(second.message, /already has an Email contact method/);
  const { contactMethods } = await client.send(new GetContactMethodsCommand({}));
  assert.deepEqual(
    contactMethods.map((cm) => cm.contactEndpoint),
    ["first@example.com"],
  );
});

test("an explicit endpoint works as well as AWS_ENDPOINT_URL_LIGHTSAIL", async () => {
  const client = lightsail("ca-central-1", { endpoint: ENDPOINT });
  const { contactMethods } = await client.send(new GetContactMethodsCommand({}));
  assert.deepEqual(contactMethods, []);
});
