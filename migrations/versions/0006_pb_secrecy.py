"""pb: secrecy of the vote: no time on votes or used codes, voter-key versions on ballots and code batches

Revision ID: 0006_pb_secrecy
Revises: 0005_pb_ballot_log_head
Create Date: 2026-12-06 22:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_pb_secrecy'
down_revision = '0005_pb_ballot_log_head'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing ballots and batches keep version 0: keyed by SECRET_KEY with plain SHA-256 code hashes,
    # so a ballot open during the upgrade keeps its voters and its printed codes.
    with op.batch_alter_table('pb_ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('pb_code_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('pb_voting_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE pb_voting_code SET used = (used_at IS NOT NULL)")
    # The times themselves are what linked a code to its vote: they go, not just their use.
    with op.batch_alter_table('pb_voting_code', schema=None) as batch_op:
        batch_op.drop_column('used_at')
    with op.batch_alter_table('pb_vote', schema=None) as batch_op:
        batch_op.drop_column('created_at')
        batch_op.drop_column('updated_at')


def downgrade() -> None:
    with op.batch_alter_table('pb_vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=False, server_default=sa.func.now()))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=False, server_default=sa.func.now()))
    with op.batch_alter_table('pb_voting_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE pb_voting_code SET used_at = CURRENT_TIMESTAMP WHERE used")
    with op.batch_alter_table('pb_voting_code', schema=None) as batch_op:
        batch_op.drop_column('used')
    with op.batch_alter_table('pb_code_batch', schema=None) as batch_op:
        batch_op.drop_column('key_version')
    with op.batch_alter_table('pb_ballot', schema=None) as batch_op:
        batch_op.drop_column('key_version')
