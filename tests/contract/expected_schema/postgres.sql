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
constraint outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'dead'::text])))
index CREATE INDEX outbox_due ON public.outbox USING btree (status, next_attempt_at)
index CREATE UNIQUE INDEX outbox_idempotency_key_key ON public.outbox USING btree (idempotency_key)
index CREATE UNIQUE INDEX outbox_pkey ON public.outbox USING btree (id)

-- table schema_migrations
column version integer NOT NULL
column name text NOT NULL
column applied_at double precision NOT NULL
constraint schema_migrations_pkey PRIMARY KEY (version)
index CREATE UNIQUE INDEX schema_migrations_pkey ON public.schema_migrations USING btree (version)

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

