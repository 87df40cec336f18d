// The AWS SDK for JavaScript v3's CloudWatch client puts metric data into lsnotify: a datum with an InstanceName
// dimension registers the instance (PutAlarm can then watch it), and a bad datum is CloudWatch's modeled error.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CloudWatchClient,
  CloudWatchServiceException,
  InvalidParameterCombinationException,
  ListMetricsCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { NotFoundException, PutAlarmCommand } from "@aws-sdk/client-lightsail";
import { ENDPOINT, UUID, lightsail, rejectsWith } from "./helpers.mjs";

const REGION = "ca-central-1";
const cloudwatch = new CloudWatchClient({ region: REGION, endpoint: ENDPOINT, maxAttempts: 1 });

function alarmOn(resource) {
  return new PutAlarmCommand({
    alarmName: `${resource}-cpu`,
    monitoredResourceName: resource,
    metricName: "CPUUtilization",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 90,
    evaluationPeriods: 1,
  });
}

test("PutMetricData registers the instance its datum names", async () => {
  const output = await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: "Node/App",
      MetricData: [
        {
          MetricName: "CPUUtilization",
          Dimensions: [{ Name: "InstanceName", Value: "js-cw-1" }],
          Timestamp: new Date(),
          Values: [10, 20],
          Counts: [1, 2],
          Unit: "Percent",
        },
      ],
    }),
  );
  assert.equal(output.$metadata.httpStatusCode, 200);
  const alarm = await lightsail(REGION).send(alarmOn("js-cw-1"));
  assert.equal(alarm.operations[0].resourceName, "js-cw-1-cpu");
});

test("a bad datum is CloudWatch's modeled error, and stores nothing", async () => {
  const error = await rejectsWith(
    cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "Node/App",
        MetricData: [
          {
            MetricName: "CPUUtilization",
            Dimensions: [{ Name: "InstanceName", Value: "js-cw-2" }],
            Value: 1,
            StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 },
          },
        ],
      }),
    ),
    InvalidParameterCombinationException,
  );
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /MetricData\.member\.1\.Value and MetricData\.member\.1\.StatisticValues/);
  assert.match(error.$metadata.requestId, UUID);
  await rejectsWith(lightsail(REGION).send(alarmOn("js-cw-2")), NotFoundException);
});

test("another CloudWatch operation is refused by name", async () => {
  const error = await rejectsWith(cloudwatch.send(new ListMetricsCommand({})), CloudWatchServiceException);
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /^ListMetrics is a CloudWatch operation that lsnotify does not serve/);
});
