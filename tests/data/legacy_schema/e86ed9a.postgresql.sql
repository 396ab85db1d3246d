-- The schema `create_all` made at commit e86ed9a (the last main before migrations), postgresql.
-- Written once from that commit's bot/db/models.py. Never edit it: tests/unit/bot/db/test_migrations.py
-- upgrades a database made from it.
CREATE TABLE agency (
	id SERIAL NOT NULL, 
	code VARCHAR(32) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	aliases JSON NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (code)
);

CREATE TABLE obligation (
	id SERIAL NOT NULL, 
	code VARCHAR(32) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	year INTEGER NOT NULL, 
	quarter INTEGER, 
	title TEXT NOT NULL, 
	due_date DATE NOT NULL, 
	due_date_origin VARCHAR(32) NOT NULL, 
	due_date_source TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (code)
);

CREATE TABLE link_attempt (
	id SERIAL NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	user_id VARCHAR(128) NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	ok BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_link_attempt_at ON link_attempt (at);

CREATE TABLE agency_succession (
	id SERIAL NOT NULL, 
	predecessor_id INTEGER NOT NULL, 
	successor_name VARCHAR(255) NOT NULL, 
	successor_id INTEGER, 
	effective DATE NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	source TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_succession UNIQUE (predecessor_id, successor_name), 
	FOREIGN KEY(predecessor_id) REFERENCES agency (id) ON DELETE CASCADE, 
	FOREIGN KEY(successor_id) REFERENCES agency (id)
);

CREATE TABLE submission (
	id SERIAL NOT NULL, 
	agency_id INTEGER NOT NULL, 
	obligation_id INTEGER NOT NULL, 
	received_on DATE NOT NULL, 
	reference_number VARCHAR(128) NOT NULL, 
	note TEXT NOT NULL, 
	is_sample BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_submission UNIQUE (agency_id, obligation_id, reference_number), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(obligation_id) REFERENCES obligation (id)
);

CREATE INDEX ix_submission_obligation_id ON submission (obligation_id);

CREATE INDEX ix_submission_agency_id ON submission (agency_id);

CREATE TABLE link_code (
	id SERIAL NOT NULL, 
	agency_id INTEGER NOT NULL, 
	code_hash VARCHAR(64) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	expires_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	created_by VARCHAR(128) NOT NULL, 
	used_at TIMESTAMP WITH TIME ZONE, 
	used_by_channel VARCHAR(32), 
	used_by_user VARCHAR(128), 
	revoked_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	UNIQUE (code_hash)
);

CREATE INDEX ix_link_code_agency_id ON link_code (agency_id);

CREATE TABLE account_link (
	id SERIAL NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	user_id VARCHAR(128) NOT NULL, 
	agency_id INTEGER NOT NULL, 
	link_code_id INTEGER, 
	linked_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	revoked_at TIMESTAMP WITH TIME ZONE, 
	subscribed BOOLEAN NOT NULL, 
	last_inbound_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_account_link UNIQUE (channel, user_id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(link_code_id) REFERENCES link_code (id)
);

CREATE INDEX ix_account_link_agency_id ON account_link (agency_id);

CREATE TABLE audit_entry (
	id SERIAL NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR(16) NOT NULL, 
	channel VARCHAR(32), 
	user_id VARCHAR(128), 
	action VARCHAR(32) NOT NULL, 
	agency_id INTEGER, 
	submission_id INTEGER, 
	message TEXT NOT NULL, 
	detail JSON NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(submission_id) REFERENCES submission (id)
);

CREATE INDEX ix_audit_entry_at ON audit_entry (at);

CREATE TABLE reminder_delivery (
	id SERIAL NOT NULL, 
	account_link_id INTEGER NOT NULL, 
	obligation_id INTEGER NOT NULL, 
	stage VARCHAR(16) NOT NULL, 
	local_day DATE NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	claimed_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	finished_at TIMESTAMP WITH TIME ZONE, 
	error TEXT, 
	text TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_reminder_delivery UNIQUE (account_link_id, obligation_id, stage), 
	FOREIGN KEY(account_link_id) REFERENCES account_link (id), 
	FOREIGN KEY(obligation_id) REFERENCES obligation (id)
);

CREATE INDEX ix_reminder_delivery_account_link_id ON reminder_delivery (account_link_id);
