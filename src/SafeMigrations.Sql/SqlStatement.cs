using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>A schema-qualified relation, index or constraint name, unquoted and case-folded the way PostgreSQL does.</summary>
    public sealed class QualifiedName
    {
        public QualifiedName(string? schema, string name)
        {
            Schema = schema;
            Name = name;
        }

        /// <summary>Schema, or null when the name is not qualified.</summary>
        public string? Schema { get; }

        /// <summary>Unquoted name: quoted identifiers keep their case, unquoted ones are folded to lower case.</summary>
        public string Name { get; }

        public override string ToString() => Schema is null ? Name : Schema + "." + Name;
    }

    /// <summary>The kind of a top-level SQL statement.</summary>
    public enum StatementKind
    {
        /// <summary>Does not start with a word (or a parenthesised query): not something the classifier can read.</summary>
        Unknown,
        /// <summary>Blank text; only <see cref="StatementScanner.Classify"/> returns it, <see cref="StatementScanner.Scan"/> skips empty statements.</summary>
        Empty,
        CreateTable,
        CreateIndex,
        DropIndex,
        AlterIndex,
        AlterTable,
        DropTable,
        Insert,
        Update,
        Delete,
        Select,
        Truncate,
        LockTable,
        Vacuum,
        Cluster,
        Reindex,
        RefreshMaterializedView,
        TransactionControl,
        Do,
        CreateFunction,
        CreateTrigger,
        DropTrigger,
        CreateView,
        DropView,
        Comment,
        Set,
        /// <summary>ALTER DOMAIN name action: its one action is in <see cref="SqlStatement.Actions"/>, the domain in <see cref="SqlStatement.ObjectName"/>.</summary>
        AlterDomain,
        /// <summary>A statement whose leading keywords are not tracked (ALTER VIEW, ALTER SEQUENCE, GRANT, MERGE, ANALYZE, ...).</summary>
        Other,
    }

    /// <summary>One sub-command of ALTER TABLE.</summary>
    public enum AlterTableActionKind
    {
        Other,
        AddColumn,
        DropColumn,
        AlterColumnType,
        SetNotNull,
        DropNotNull,
        SetDefault,
        DropDefault,
        AddConstraint,
        ValidateConstraint,
        DropConstraint,
        RenameColumn,
        RenameTable,
        RenameConstraint,
        SetSchema,
        AddIdentity,
        SetLogged,
        SetTablespace,
        /// <summary>DETACH PARTITION p [CONCURRENTLY | FINALIZE]; the partition is in <see cref="AlterTableAction.Partition"/>.</summary>
        DetachPartition,
    }

    public enum ConstraintKind
    {
        None,
        Check,
        ForeignKey,
        Unique,
        PrimaryKey,
        Exclusion,
        NotNull,
    }

    /// <summary>One action of an ALTER TABLE statement, with the details that decide whether it is safe.</summary>
    public sealed class AlterTableAction
    {
        public AlterTableActionKind Kind { get; set; }

        /// <summary>Column the action applies to (unquoted), when there is one.</summary>
        public string? Column { get; set; }

        /// <summary>New name for RENAME actions; constraint name for ADD/VALIDATE/DROP CONSTRAINT.</summary>
        public string? Name { get; set; }

        public ConstraintKind Constraint { get; set; }

        /// <summary>Type text as written (ADD COLUMN, ALTER COLUMN TYPE), e.g. "character varying(200)".</summary>
        public string? DataType { get; set; }

        /// <summary>DEFAULT expression text as written (ADD COLUMN ... DEFAULT, SET DEFAULT).</summary>
        public string? DefaultExpression { get; set; }

        /// <summary>USING expression text of ALTER COLUMN TYPE.</summary>
        public string? UsingExpression { get; set; }

        /// <summary>ADD COLUMN ... NOT NULL (or PRIMARY KEY).</summary>
        public bool NotNull { get; set; }

        /// <summary>GENERATED ... AS IDENTITY.</summary>
        public bool Identity { get; set; }

        /// <summary>serial / bigserial / smallserial type.</summary>
        public bool Serial { get; set; }

        /// <summary>GENERATED ALWAYS AS (...) STORED.</summary>
        public bool GeneratedStored { get; set; }

        /// <summary>Inline or table constraint marked NOT VALID.</summary>
        public bool NotValid { get; set; }

        /// <summary>ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX.</summary>
        public bool UsingIndex { get; set; }

        /// <summary>IF EXISTS / IF NOT EXISTS on the action.</summary>
        public bool IfExists { get; set; }

        /// <summary>Inline constraint on ADD COLUMN (REFERENCES, CHECK, UNIQUE, PRIMARY KEY); the first when there are several.</summary>
        public ConstraintKind InlineConstraint { get; set; }

        /// <summary>Every inline constraint on ADD COLUMN, in order.</summary>
        public IReadOnlyList<ConstraintKind> InlineConstraints { get; set; } = new ConstraintKind[0];

        /// <summary>Old name of RENAME COLUMN (same as <see cref="Column"/>) and RENAME CONSTRAINT.</summary>
        public string? OldName { get; set; }

        /// <summary>Table referenced by ADD FOREIGN KEY or an inline REFERENCES.</summary>
        public QualifiedName? ReferencedTable { get; set; }

        /// <summary>Index named by ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX.</summary>
        public string? IndexName { get; set; }

        /// <summary>Columns of a table constraint (CHECK excluded) in the order written; for FOREIGN KEY the referencing columns.</summary>
        public IReadOnlyList<string> Columns { get; set; } = new string[0];

        /// <summary>The expression inside CHECK (...), as written.</summary>
        public string? CheckExpression { get; set; }

        /// <summary>DROP [COLUMN|CONSTRAINT] ... CASCADE.</summary>
        public bool Cascade { get; set; }

        /// <summary>SET UNLOGGED (false for SET LOGGED).</summary>
        public bool Unlogged { get; set; }

        /// <summary>
        /// ALTER COLUMN TYPE whose USING is only the column itself, or the column cast to the new type
        /// (<c>"col"::text</c>, <c>CAST(col AS text)</c>): it converts exactly as no USING would.
        /// </summary>
        public bool UsingIsPlainCast { get; set; }

        /// <summary>The partition of DETACH PARTITION.</summary>
        public QualifiedName? Partition { get; set; }

        /// <summary>DETACH PARTITION ... CONCURRENTLY.</summary>
        public bool Concurrently { get; set; }

        /// <summary>DETACH PARTITION ... FINALIZE (completes an interrupted concurrent detach).</summary>
        public bool Finalize { get; set; }

        /// <summary>The action's source text.</summary>
        public string Text { get; set; } = string.Empty;

        public override string ToString() => Kind + ": " + Text;
    }

    /// <summary>A classified top-level statement.</summary>
    public sealed class SqlStatement
    {
        public SqlStatement(string text, int start)
        {
            Text = text;
            Start = start;
        }

        /// <summary>The statement text without the terminating semicolon.</summary>
        public string Text { get; }

        /// <summary>Offset of the statement's first character in the scanned input.</summary>
        public int Start { get; }

        public StatementKind Kind { get; set; }

        /// <summary>The table the statement works on (CREATE INDEX ... ON t, ALTER TABLE t, UPDATE t, LOCK t, ...).</summary>
        public QualifiedName? Table { get; set; }

        /// <summary>Every table of a list form (TRUNCATE a, b; LOCK a, b; DROP TABLE a, b; DROP VIEW; VACUUM), the first included; <see cref="Table"/> is the first.</summary>
        public IReadOnlyList<QualifiedName> Tables { get; set; } = new QualifiedName[0];

        /// <summary>Index name of CREATE/DROP/ALTER INDEX and REINDEX INDEX.</summary>
        public QualifiedName? Index { get; set; }

        public bool Concurrently { get; set; }
        public bool Unique { get; set; }
        public bool IfExists { get; set; }
        public bool IfNotExists { get; set; }

        /// <summary>UPDATE/DELETE has a WHERE clause.</summary>
        public bool HasWhere { get; set; }

        /// <summary>UPDATE/DELETE is bounded to a batch (a LIMIT in a sub-select, a key range, ctid IN (... LIMIT n), WHERE CURRENT OF).</summary>
        public bool IsBatched { get; set; }

        /// <summary>VACUUM FULL.</summary>
        public bool Full { get; set; }

        /// <summary>LOCK TABLE mode text, e.g. "ACCESS EXCLUSIVE" (the default when omitted).</summary>
        public string? LockMode { get; set; }

        /// <summary>REINDEX target kind: INDEX, TABLE, SCHEMA, DATABASE, SYSTEM.</summary>
        public string? ReindexTarget { get; set; }

        /// <summary>ALTER TABLE actions in order; RENAME forms appear here too.</summary>
        public IReadOnlyList<AlterTableAction> Actions { get; set; } = new AlterTableAction[0];

        /// <summary>ALTER TABLE ONLY / UPDATE ONLY.</summary>
        public bool Only { get; set; }

        /// <summary>The statement's tokens without comments; offsets are in the scanned input.</summary>
        public IReadOnlyList<SqlToken> Tokens { get; set; } = new SqlToken[0];

        /// <summary>Index names of DROP INDEX a, b (the first is also <see cref="Index"/>).</summary>
        public IReadOnlyList<QualifiedName> Indexes { get; set; } = new QualifiedName[0];

        /// <summary>
        /// Another object the statement names: the trigger of CREATE/DROP TRIGGER, the function or procedure of CREATE
        /// FUNCTION/PROCEDURE, the schema or database of REINDEX SCHEMA/DATABASE.
        /// </summary>
        public QualifiedName? ObjectName { get; set; }

        /// <summary>DROP ... CASCADE, TRUNCATE ... CASCADE.</summary>
        public bool Cascade { get; set; }

        /// <summary>LOCK ... NOWAIT.</summary>
        public bool NoWait { get; set; }

        /// <summary>
        /// UPDATE/DELETE whose WHERE pins single rows: an AND-only WHERE with <c>id = constant</c> (any case of "id"),
        /// <c>id IN (constants)</c>, or <c>ctid = constant</c>. Such statements also have <see cref="IsBatched"/> set.
        /// </summary>
        public bool TargetsSingleRow { get; set; }

        /// <summary>
        /// Columns an AND-only WHERE compares to constants with = or IN (constants), unquoted (last name part).
        /// Lets a caller that knows the primary key decide whether a statement targets single rows.
        /// </summary>
        public IReadOnlyList<string> WhereEqualityColumns { get; set; } = new string[0];

        /// <summary>A WITH clause holds a data-modifying statement (WITH d AS (DELETE ... RETURNING *) ...).</summary>
        public bool HasDataModifyingCte { get; set; }

        /// <summary>
        /// The code body of DO and CREATE FUNCTION/PROCEDURE: the unescaped content of the $$...$$ or '...' string, or
        /// the text between BEGIN ATOMIC and the final END. Null when there is none.
        /// </summary>
        public string? Body { get; set; }

        /// <summary>
        /// A transaction-control statement that ends the current transaction and releases its locks: COMMIT, END,
        /// ROLLBACK (not ROLLBACK TO SAVEPOINT), ABORT, PREPARE TRANSACTION. BEGIN and START TRANSACTION end nothing.
        /// </summary>
        public bool EndsTransaction { get; set; }

        /// <summary>CREATE OR REPLACE.</summary>
        public bool OrReplace { get; set; }

        public override string ToString() => Kind + ": " + Text;
    }
}
