namespace SafeMigrations.Sql.Rules
{
    /// <summary>The safe form with the same end state that a flagged statement can be run as, when there is one.</summary>
    public enum SafeRewrite
    {
        /// <summary>No automatic rewrite: only the rule's advice.</summary>
        None,

        /// <summary>A single-table UPDATE or DELETE: run in keyset batches, each its own transaction.</summary>
        KeysetBatches,

        /// <summary>CREATE INDEX: CREATE INDEX CONCURRENTLY outside a transaction.</summary>
        Concurrently,

        /// <summary>ALTER TABLE ... ADD CONSTRAINT (foreign key or check): ADD ... NOT VALID, then VALIDATE CONSTRAINT.</summary>
        NotValidThenValidate,

        /// <summary>
        /// ALTER TABLE ... ALTER COLUMN ... SET NOT NULL: CHECK (c IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL
        /// (PostgreSQL 12+ skips the scan), then drop the check.
        /// </summary>
        NotNullThroughCheck,

        /// <summary>ALTER TABLE ... ADD CONSTRAINT name UNIQUE/PRIMARY KEY (columns): CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX.</summary>
        KeyThroughIndex,
    }

    /// <summary>One rule's judgement of one statement (or of one ALTER TABLE action of it).</summary>
    public sealed class StatementFinding
    {
        internal StatementFinding(StatementRule rule, SqlStatement statement, AlterTableAction? action, SafeRewrite rewrite, params object?[] arguments)
        {
            Rule = rule;
            Statement = statement;
            Action = action;
            Rewrite = rewrite;
            Arguments = arguments;
        }

        public StatementRule Rule { get; }

        /// <summary>The statement judged: the scanned one, or an UPDATE/DELETE inside its WITH clause.</summary>
        public SqlStatement Statement { get; }

        /// <summary>The ALTER TABLE action the finding is about, or null for the whole statement.</summary>
        public AlterTableAction? Action { get; }

        /// <summary>The safe form the statement can be rewritten to when it runs alone; <see cref="SafeRewrite.None"/> when none.</summary>
        public SafeRewrite Rewrite { get; }

        /// <summary>The arguments of <see cref="StatementRule.MessageFormat"/>.</summary>
        public object?[] Arguments { get; }

        /// <summary>The rule's message for this statement, word for word what the analyzer reports.</summary>
        public string Message => Rule.Format(Arguments);

        public override string ToString() => Rule.Id + ": " + Message;
    }
}
