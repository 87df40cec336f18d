// Tags and the operations log through the AWS SDK for JavaScript v3, paging included.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateContactMethodCommand,
  DeleteContactMethodCommand,
  GetContactMethodsCommand,
  GetOperationCommand,
  GetOperationsCommand,
  GetOperationsForResourceCommand,
  InvalidInputException,
  NotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lightsail";
import { lightsail, rejectsWith } from "./helpers.mjs";

async function tagsOf(client) {
  const { contactMethods } = await client.send(new GetContactMethodsCommand({ protocols: ["Email"] }));
  return contactMethods[0].tags;
}

test("tag, overwrite and untag a contact method, by name and by ARN", async () => {
  const client = lightsail("eu-west-2");
  await client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "tags@example.com" }));
  const [{ arn }] = (await client.send(new GetContactMethodsCommand({}))).contactMethods;

  const tagged = await client.send(
    new TagResourceCommand({
      resourceName: "Email-eu-west-2",
      tags: [{ key: "team", value: "ops" }, { key: "flag" }],
    }),
  );
  assert.equal(tagged.operations[0].operationType, "TagResource");
  assert.equal(tagged.operations[0].resourceName, "Email-eu-west-2");
  await client.send(
    new TagResourceCommand({ resourceName: "Email-eu-west-2", resourceArn: arn, tags: [{ key: "team", value: "sre" }] }),
  );
  const tags = await tagsOf(client);
  assert.deepEqual(
    tags.map((tag) => [tag.key, tag.value]).sort(),
    [
      ["flag", undefined],
      ["team", "sre"],
    ],
  );

  const untagged = await client.send(
    new UntagResourceCommand({ resourceName: "Email-eu-west-2", tagKeys: ["team", "never-set"] }),
  );
  assert.equal(untagged.operations[0].operationType, "UntagResource");
  assert.deepEqual(
    (await tagsOf(client)).map((tag) => tag.key),
    ["flag"],
  );

  const rule = await rejectsWith(
    client.send(new TagResourceCommand({ resourceName: "Email-eu-west-2", tags: [{ key: "aws:reserved" }] })),
    InvalidInputException,
  );
  assert.match(rule.message, /^tags\[0\]\.key: /);
  const missing = await rejectsWith(
    client.send(new TagResourceCommand({ resourceName: "SMS-eu-west-2", tags: [{ key: "a" }] })),
    NotFoundException,
  );
  assert.match(missing.message, /SMS-eu-west-2/);
});

test("every change is an operation: GetOperation, GetOperations, GetOperationsForResource", async () => {
  const client = lightsail("ap-southeast-1");
  const created = await client.send(new CreateContactMethodCommand({ protocol: "SMS", contactEndpoint: "+14255550101" }));
  await client.send(new TagResourceCommand({ resourceName: "SMS-ap-southeast-1", tags: [{ key: "k" }] }));
  await client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "ops@example.com" }));
  await client.send(new DeleteContactMethodCommand({ protocol: "SMS" }));

  const one = await client.send(new GetOperationCommand({ operationId: created.operations[0].id }));
  assert.equal(one.operation.id, created.operations[0].id);
  assert.equal(one.operation.operationType, "CreateContactMethod");
  assert.equal(one.operation.createdAt.getTime(), created.operations[0].createdAt.getTime());

  // One page: everything, newest first, and no token.
  const page = await client.send(new GetOperationsCommand({}));
  assert.deepEqual(
    page.operations.map((op) => op.operationType),
    ["DeleteContactMethod", "CreateContactMethod", "TagResource", "CreateContactMethod"],
  );
  assert.equal(page.nextPageToken, undefined);

  const sms = await client.send(new GetOperationsForResourceCommand({ resourceName: "SMS-ap-southeast-1" }));
  assert.deepEqual(
    sms.operations.map((op) => op.operationType),
    ["DeleteContactMethod", "TagResource", "CreateContactMethod"],
  );
  assert.equal(sms.nextPageToken, undefined);

  const unknown = await rejectsWith(
    client.send(new GetOperationCommand({ operationId: "00000000-0000-4000-8000-000000000000" })),
    NotFoundException,
  );
  assert.match(unknown.message, /^operationId: /);
  const badToken = await rejectsWith(
    client.send(new GetOperationsCommand({ pageToken: "not-a-token" })),
    InvalidInputException,
  );
  assert.match(badToken.message, /^pageToken: /);
});

test("operations come 200 a page; nextPageToken leads to the rest", async () => {
  const client = lightsail("eu-north-1");
  await client.send(new CreateContactMethodCommand({ protocol: "Email", contactEndpoint: "pages@example.com" }));
  const changes = 204; // with the create: 205 operations, two pages
  for (let start = 0; start < changes; start += 25) {
    const batch = [];
    for (let i = start; i < Math.min(start + 25, changes); i++) {
      batch.push(
        client.send(new TagResourceCommand({ resourceName: "Email-eu-north-1", tags: [{ key: "n", value: `${i}` }] })),
      );
    }
    await Promise.all(batch);
  }

  const seen = [];
  const pageSizes = [];
  let pageToken;
  do {
    const page = await client.send(new GetOperationsCommand({ pageToken }));
    pageSizes.push(page.operations.length);
    seen.push(...page.operations);
    pageToken = page.nextPageToken;
  } while (pageToken);
  assert.deepEqual(pageSizes, [200, 5]);
  assert.equal(new Set(seen.map((op) => op.id)).size, 205);
  assert.equal(seen.at(-1).operationType, "CreateContactMethod");
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i - 1].createdAt >= seen[i].createdAt, "newest first");
  }

  const first = await client.send(new GetOperationsForResourceCommand({ resourceName: "Email-eu-north-1" }));
  assert.equal(first.operations.length, 200);
  const rest = await client.send(
    new GetOperationsForResourceCommand({ resourceName: "Email-eu-north-1", pageToken: first.nextPageToken }),
  );
  assert.equal(rest.operations.length, 5);
  assert.equal(rest.nextPageToken, undefined);
});
