-- table access_keys
column access_key_id text NOT NULL
column account_id text NOT NULL
column secret_sealed text NOT NULL
column status text NOT NULL
column created_at double precision NOT NULL
constraint access_keys_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts(account_id)
constraint access_keys_pkey PRIMARY KEY (access_key_id)
constraint access_keys_status_check CHECK ((status = ANY (ARRAY['Active'::text, 'Inactive'::text])))
index CREATE INDEX access_keys_by_account ON public.access_keys USING btree (account_id, created_at)
index CREATE UNIQUE INDEX access_keys_pkey ON public.access_keys USING btree (access_key_id)

-- table accounts
column account_id text NOT NULL
column created_at double precision NOT NULL
constraint accounts_pkey PRIMARY KEY (account_id)
index CREATE UNIQUE INDEX accounts_pkey ON public.accounts USING btree (account_id)

-- table alarm_history
column account_id text NOT NULL
column region text NOT NULL
column alarm_name text NOT NULL
column alarm_id text NOT NULL
column revision integer NOT NULL
column changed_at double precision NOT NULL
column old_state text NOT NULL
column new_state text NOT NULL
column reason text NOT NULL
column datapoints jsonb NOT NULL
column notified jsonb NOT NULL
constraint alarm_history_account_id_region_alarm_name_fkey FOREIGN KEY (account_id, region, alarm_name) REFERENCES alarms(account_id, region, name) ON DELETE CASCADE
constraint alarm_history_pkey PRIMARY KEY (account_id, region, alarm_name, revision)
index CREATE INDEX alarm_history_by_time ON public.alarm_history USING btree (changed_at)
index CREATE UNIQUE INDEX alarm_history_pkey ON public.alarm_history USING btree (account_id, region, alarm_name, revision)

-- table alarms
column account_id text NOT NULL
column region text NOT NULL
column name text NOT NULL
column id text NOT NULL
column created_at double precision NOT NULL
column resource_name text NOT NULL
column metric_name text NOT NULL
column slot integer NOT NULL
column comparison_operator text NOT NULL
column threshold double precision NOT NULL
column evaluation_periods integer NOT NULL
column datapoints_to_alarm integer NOT NULL
column treat_missing_data text NOT NULL
column contact_protocols jsonb NOT NULL
column notification_triggers jsonb NOT NULL
column notification_enabled boolean NOT NULL
column state text NOT NULL
column state_reason text NOT NULL
column state_changed_at double precision NOT NULL
column revision integer NOT NULL
column tags jsonb NOT NULL DEFAULT '[]'::jsonb
constraint alarms_account_id_region_resource_name_fkey FOREIGN KEY (account_id, region, resource_name) REFERENCES monitored_resources(account_id, region, name) ON DELETE CASCADE
constraint alarms_account_id_region_resource_name_metric_name_slot_key UNIQUE (account_id, region, resource_name, metric_name, slot)
constraint alarms_check CHECK (((datapoints_to_alarm >= 1) AND (datapoints_to_alarm <= evaluation_periods)))
constraint alarms_comparison_operator_check CHECK ((comparison_operator = ANY (ARRAY['GreaterThanOrEqualToThreshold'::text, 'GreaterThanThreshold'::text, 'LessThanThreshold'::text, 'LessThanOrEqualToThreshold'::text])))
constraint alarms_evaluation_periods_check CHECK (((evaluation_periods >= 1) AND (evaluation_periods <= 288)))
constraint alarms_pkey PRIMARY KEY (account_id, region, name)
constraint alarms_slot_check CHECK ((slot = ANY (ARRAY[1, 2])))
constraint alarms_state_check CHECK ((state = ANY (ARRAY['OK'::text, 'ALARM'::text, 'INSUFFICIENT_DATA'::text])))
constraint alarms_treat_missing_data_check CHECK ((treat_missing_data = ANY (ARRAY['breaching'::text, 'notBreaching'::text, 'ignore'::text, 'missing'::text])))
index CREATE UNIQUE INDEX alarms_account_id_region_resource_name_metric_name_slot_key ON public.alarms USING btree (account_id, region, resource_name, metric_name, slot)
index CREATE UNIQUE INDEX alarms_by_id ON public.alarms USING btree (account_id, region, id)
index CREATE UNIQUE INDEX alarms_pkey ON public.alarms USING btree (account_id, region, name)

-- table captured_messages
column id text NOT NULL
column account_id text NOT NULL
column region text NOT NULL
column protocol text NOT NULL
column destination text NOT NULL
column subject text
column body text NOT NULL
column html text
column created_at double precision NOT NULL
constraint captured_messages_pkey PRIMARY KEY (id)
constraint captured_messages_protocol_check CHECK ((protocol = ANY (ARRAY['Email'::text, 'SMS'::text])))
index CREATE INDEX captured_messages_by_time ON public.captured_messages USING btree (created_at, id)
index CREATE UNIQUE INDEX captured_messages_pkey ON public.captured_messages USING btree (id)

-- table commit_count
column id integer NOT NULL
column n bigint NOT NULL
constraint commit_count_id_check CHECK ((id = 1))
constraint commit_count_pkey PRIMARY KEY (id)
index CREATE UNIQUE INDEX commit_count_pkey ON public.commit_count USING btree (id)

-- table contact_methods
column account_id text NOT NULL
column region text NOT NULL
column protocol text NOT NULL
column id text NOT NULL
column contact_endpoint text NOT NULL
column status text NOT NULL
column created_at double precision NOT NULL
column verification_expires_at double precision
column tags jsonb NOT NULL DEFAULT '[]'::jsonb
constraint contact_methods_pkey PRIMARY KEY (account_id, region, protocol)
constraint contact_methods_protocol_check CHECK ((protocol = ANY (ARRAY['Email'::text, 'SMS'::text])))
constraint contact_methods_status_check CHECK ((status = ANY (ARRAY['PendingVerification'::text, 'Valid'::text, 'Invalid'::text])))
index CREATE UNIQUE INDEX contact_methods_pkey ON public.contact_methods USING btree (account_id, region, protocol)

-- table metric_points
column series_id bigint NOT NULL
column resolution integer NOT NULL
column period_start bigint NOT NULL
column sample_count bigint NOT NULL
column sum double precision NOT NULL
column minimum double precision NOT NULL
column maximum double precision NOT NULL
constraint metric_points_pkey PRIMARY KEY (series_id, resolution, period_start)
constraint metric_points_resolution_check CHECK ((resolution = ANY (ARRAY[60, 300, 3600])))
constraint metric_points_sample_count_check CHECK ((sample_count > 0))
index CREATE UNIQUE INDEX metric_points_pkey ON public.metric_points USING btree (series_id, resolution, period_start)

-- table metric_series
column id bigint NOT NULL
column account_id text NOT NULL
column region text NOT NULL
column resource_name text NOT NULL
column metric_name text NOT NULL
constraint metric_series_account_id_region_resource_name_fkey FOREIGN KEY (account_id, region, resource_name) REFERENCES monitored_resources(account_id, region, name) ON DELETE CASCADE
constraint metric_series_account_id_region_resource_name_metric_name_key UNIQUE (account_id, region, resource_name, metric_name)
constraint metric_series_pkey PRIMARY KEY (id)
index CREATE UNIQUE INDEX metric_series_account_id_region_resource_name_metric_name_key ON public.metric_series USING btree (account_id, region, resource_name, metric_name)
index CREATE UNIQUE INDEX metric_series_pkey ON public.metric_series USING btree (id)

-- table monitored_resources
column account_id text NOT NULL
column region text NOT NULL
column name text NOT NULL
column resource_type text NOT NULL
column id text NOT NULL
column created_at double precision NOT NULL
constraint monitored_resources_pkey PRIMARY KEY (account_id, region, name)
constraint monitored_resources_resource_type_check CHECK ((resource_type = ANY (ARRAY['Instance'::text, 'LoadBalancer'::text, 'RelationalDatabase'::text])))
index CREATE UNIQUE INDEX monitored_resources_pkey ON public.monitored_resources USING btree (account_id, region, name)

-- table operations
column account_id text NOT NULL
column region text NOT NULL
column id text NOT NULL
column resource_name text NOT NULL
column resource_type text NOT NULL
column operation_type text NOT NULL
column status text NOT NULL
column is_terminal boolean NOT NULL
column created_at double precision NOT NULL
column status_changed_at double precision
column operation_details text
column error_code text
column error_details text
constraint operations_pkey PRIMARY KEY (account_id, region, id)
index CREATE INDEX operations_by_resource ON public.operations USING btree (account_id, region, resource_name, created_at DESC, id DESC)
index CREATE INDEX operations_newest ON public.operations USING btree (account_id, region, created_at DESC, id DESC)
index CREATE UNIQUE INDEX operations_pkey ON public.operations USING btree (account_id, region, id)

-- table outbox
column id text NOT NULL
column account_id text NOT NULL
column region text NOT NULL
column protocol text NOT NULL
column destination text NOT NULL
column kind text NOT NULL
column payload jsonb NOT NULL
column idempotency_key text NOT NULL
column status text NOT NULL
column attempts integer NOT NULL DEFAULT 0
column next_attempt_at double precision NOT NULL
column last_error text
column created_at double precision NOT NULL
column sent_at double precision
column claimed_by text
column queued_at double precision
constraint outbox_idempotency_key_key UNIQUE (idempotency_key)
constraint outbox_pkey PRIMARY KEY (id)
constraint outbox_protocol_check CHECK ((protocol = ANY (ARRAY['Email'::text, 'SMS'::text])))
constraint outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'dead'::text, 'suppressed'::text])))
index CREATE INDEX outbox_by_kind ON public.outbox USING btree (account_id, region, kind, created_at)
index CREATE INDEX outbox_due ON public.outbox USING btree (status, next_attempt_at)
index CREATE UNIQUE INDEX outbox_idempotency_key_key ON public.outbox USING btree (idempotency_key)
index CREATE UNIQUE INDEX outbox_pkey ON public.outbox USING btree (id)
index CREATE INDEX outbox_sent_by_account ON public.outbox USING btree (account_id, protocol, sent_at)

-- table schema_migrations
column version integer NOT NULL
column name text NOT NULL
column applied_at double precision NOT NULL
constraint schema_migrations_pkey PRIMARY KEY (version)
index CREATE UNIQUE INDEX schema_migrations_pkey ON public.schema_migrations USING btree (version)

-- table scrape_targets
column account_id text NOT NULL
column region text NOT NULL
column resource_name text NOT NULL
column url text NOT NULL
column created_at double precision NOT NULL
column due_at double precision NOT NULL
column claimed_by text
column counters jsonb
constraint scrape_targets_account_id_region_resource_name_fkey FOREIGN KEY (account_id, region, resource_name) REFERENCES monitored_resources(account_id, region, name) ON DELETE CASCADE
constraint scrape_targets_pkey PRIMARY KEY (account_id, region, resource_name)
index CREATE INDEX scrape_targets_by_due ON public.scrape_targets USING btree (due_at)
index CREATE UNIQUE INDEX scrape_targets_pkey ON public.scrape_targets USING btree (account_id, region, resource_name)

-- table verification_tokens
column token_hash text NOT NULL
column account_id text NOT NULL
column region text NOT NULL
column contact_method_id text NOT NULL
column created_at double precision NOT NULL
column expires_at double precision NOT NULL
constraint verification_tokens_pkey PRIMARY KEY (token_hash)
index CREATE INDEX verification_tokens_by_method ON public.verification_tokens USING btree (account_id, region, contact_method_id)
index CREATE UNIQUE INDEX verification_tokens_pkey ON public.verification_tokens USING btree (token_hash)

