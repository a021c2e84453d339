using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>A lock an earlier step of the same transaction still holds on a table.</summary>
    public readonly struct HeldLock
    {
        internal HeldLock(TableName table, LockMode mode, LockUnit holder)
        {
            Table = table;
            Mode = mode;
            Holder = holder;
        }

        public TableName Table { get; }

        public LockMode Mode { get; }

        /// <summary>The earliest step that took <see cref="Mode"/> on the table in this transaction.</summary>
        public LockUnit Holder { get; }
    }

    /// <summary>One builder step, or one statement of a <c>Sql(...)</c> step, with its locks and what it runs under.</summary>
    public sealed class LockUnit
    {
        internal LockUnit(MigrationStep step, int statementIndex, UnitLocks locks, bool inMigrationTransaction, string description, IReadOnlyList<HeldLock> worse)
        {
            Step = step;
            StatementIndex = statementIndex;
            Locks = locks;
            InMigrationTransaction = inMigrationTransaction;
            Description = description;
            Worse = worse;
        }

        public MigrationStep Step { get; }

        /// <summary>The statement's index in its <c>Sql(...)</c> call; -1 for a builder step.</summary>
        public int StatementIndex { get; }

        public UnitLocks Locks { get; }

        /// <summary>False for statements of a <c>Sql(..., suppressTransaction: true)</c> call: they commit on their own.</summary>
        public bool InMigrationTransaction { get; }

        /// <summary><c>DropForeignKey 'FK_x'</c>, <c>UPDATE of 'Orders'</c>: how messages name the unit.</summary>
        public string Description { get; }

        /// <summary>1-based line of the step's call.</summary>
        public int Line => Step.Location.GetLineSpan().StartLinePosition.Line + 1;

        /// <summary>
        /// Locks earlier units of the same transaction hold on this unit's tables that keep more away than this unit's
        /// own lock on them (ACCESS EXCLUSIVE held while this unit only blocks writes...), in table order.
        /// </summary>
        public IReadOnlyList<HeldLock> Worse { get; }
    }

    /// <summary>
    /// Locks add up inside one transaction: PostgreSQL releases a lock only at commit, so a brief ACCESS EXCLUSIVE
    /// taken early in a migration is still held while a later index build, validation or UPDATE runs. Plain EF runs a
    /// migration's steps in one transaction except where it commits: before and after a <c>Sql(..., suppressTransaction:
    /// true)</c> call (and Npgsql's concurrent <c>CreateIndex</c>, SafeMigrations' suppressed safe steps), and at a
    /// COMMIT, END or ROLLBACK in the SQL text. Computed once per read method, in one pass over its steps.
    /// </summary>
    public sealed class TransactionLocks
    {
        private static readonly ConditionalWeakTable<MigrationModel, TransactionLocks> Cache = new ConditionalWeakTable<MigrationModel, TransactionLocks>();

        /// <summary>SafeMigrations steps with a part that runs outside the transaction: plain EF commits around them.</summary>
        private static readonly HashSet<string> SuppressingSafeSteps = new HashSet<string>(StringComparer.Ordinal)
        {
            "CreateIndexConcurrently", "CreateExpressionIndexConcurrently", "DropIndexConcurrently", "ValidateConstraint",
            "AddUniqueConstraintUsingIndex", "AddPrimaryKeyUsingIndex", "SetNotNullThroughCheck",
        };

        private readonly Dictionary<(int Step, int Statement), LockUnit> _byPosition = new Dictionary<(int, int), LockUnit>();

        private TransactionLocks(MigrationModel model)
        {
            Units = Walk(model);
            foreach (var unit in Units)
            {
                _byPosition[(unit.Step.Index, unit.StatementIndex)] = unit;
            }
        }

        /// <summary>Every unit of the method, in order.</summary>
        public IReadOnlyList<LockUnit> Units { get; }

        public static TransactionLocks For(MigrationModel model) => Cache.GetValue(model, m => new TransactionLocks(m));

        /// <summary>The builder step (<paramref name="statementIndex"/> -1) or raw statement at that position; null when unknown.</summary>
        public LockUnit? Find(int stepIndex, int statementIndex) =>
            _byPosition.TryGetValue((stepIndex, statementIndex), out var unit) ? unit : null;

        private List<LockUnit> Walk(MigrationModel model)
        {
            var units = new List<LockUnit>();
            var held = new Dictionary<TableName, HeldLock>();
            var principals = new PrincipalTables(model);
            foreach (var step in model.Steps)
            {
                if (step.Sql is { } sql)
                {
                    var ownTransaction = sql.SuppressTransaction != false;
                    if (ownTransaction)
                    {
                        held.Clear();
                    }

                    var statements = sql.Statements;
                    for (var i = 0; i < statements.Count; i++)
                    {
                        var unit = Unit(model, step, i, UnitLocks.Of(statements[i]), !ownTransaction, Describe(statements[i]), held);
                        units.Add(unit);
                        if (unit.Locks.EndsTransaction)
                        {
                            held.Clear();
                        }
                    }

                    if (ownTransaction)
                    {
                        held.Clear();
                    }

                    continue;
                }

                if (RunsOutsideTheTransaction(step))
                {
                    held.Clear();
                    continue;
                }

                if (!step.IsExtension)
                {
                    units.Add(Unit(model, step, -1, UnitLocks.Of(step, principals.Of), true, Describe(step), held));
                }
            }

            return units;
        }

        /// <summary>Makes the unit (with what earlier units hold that is worse than its own locks), then adds its locks to <paramref name="held"/>.</summary>
        private static LockUnit Unit(MigrationModel model, MigrationStep step, int statementIndex, UnitLocks locks, bool inMigrationTransaction, string description, Dictionary<TableName, HeldLock> held)
        {
            List<HeldLock>? worse = null;
            foreach (var (table, mode) in locks.Locks)
            {
                if (held.TryGetValue(table, out var earlier) && UnitLocks.ImpactOf(earlier.Mode) > UnitLocks.ImpactOf(mode)
                    && !model.IsTableCreatedBefore(table, step.Index, statementIndex)
                    && !ValidatesWhatHolderAdded(step, statementIndex, earlier.Holder))
                {
                    (worse ??= new List<HeldLock>()).Add(earlier);
                }
            }

            var unit = new LockUnit(step, statementIndex, locks, inMigrationTransaction, description, (IReadOnlyList<HeldLock>?)worse ?? Array.Empty<HeldLock>());
            foreach (var (table, mode) in locks.Locks)
            {
                // A table this method created is not used by anyone yet: its locks keep nobody waiting.
                if (model.IsTableCreatedBefore(table, step.Index, statementIndex))
                {
                    continue;
                }

                if (!held.TryGetValue(table, out var current) || current.Mode < mode)
                {
                    held[table] = new HeldLock(table, mode, unit);
                }
            }

            return unit;
        }

        /// <summary>
        /// A VALIDATE CONSTRAINT of the constraint the holder added NOT VALID: SM0008/SM0009 already report it as
        /// "validated under the ADD's lock", so the ADD is not named a second time.
        /// </summary>
        private static bool ValidatesWhatHolderAdded(MigrationStep step, int statementIndex, LockUnit holder)
        {
            if (statementIndex < 0 || holder.StatementIndex < 0)
            {
                return false;
            }

            var validate = step.Sql!.Statements[statementIndex];
            var add = holder.Step.Sql!.Statements[holder.StatementIndex];
            foreach (var action in validate.Actions)
            {
                if (action.Kind != AlterTableActionKind.ValidateConstraint || action.Name is null)
                {
                    continue;
                }

                foreach (var added in add.Actions)
                {
                    if (added.Kind == AlterTableActionKind.AddConstraint && added.NotValid && added.Name == action.Name
                        && TableName.From(add.Table) == TableName.From(validate.Table))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>Npgsql's concurrent CreateIndex and SafeMigrations' suppressed steps: plain EF commits before and after them.</summary>
        internal static bool RunsOutsideTheTransaction(MigrationStep step)
        {
            if (step.IsExtension)
            {
                return step.Method.ContainingType is { Name: "SafeMigrationBuilderExtensions" } && SuppressingSafeSteps.Contains(step.MethodName);
            }

            // A non-constant annotation value may be true: treated as a commit, so nothing is reported from a guess.
            return step.MethodName == "CreateIndex"
                   && step.FindAnnotation(NpgsqlAnnotations.CreatedConcurrently) is { } concurrent
                   && concurrent.Value.AsBool() != false;
        }

        private static string Describe(MigrationStep step) => step.MethodName + (step.Name is { } name ? " '" + name + "'" : string.Empty);

        private static string Describe(SqlStatement statement)
        {
            string what;
            switch (statement.Kind)
            {
                case StatementKind.CreateIndex: what = statement.Unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX"; break;
                case StatementKind.AlterTable: what = "ALTER TABLE"; break;
                case StatementKind.Update: what = "UPDATE"; break;
                case StatementKind.Delete: what = "DELETE"; break;
                case StatementKind.Truncate: what = "TRUNCATE"; break;
                case StatementKind.DropTable: what = "DROP TABLE"; break;
                case StatementKind.LockTable: what = "LOCK TABLE"; break;
                case StatementKind.Vacuum: what = "VACUUM FULL"; break;
                case StatementKind.Cluster: what = "CLUSTER"; break;
                case StatementKind.Reindex: what = "REINDEX"; break;
                case StatementKind.RefreshMaterializedView: what = "REFRESH MATERIALIZED VIEW"; break;
                default: what = "the statement"; break;
            }

            return statement.Table is { } table ? what + " '" + table + "'" : what;
        }

        /// <summary>
        /// The principal table of a foreign key dropped by name (DropForeignKey names only the dependent table): taken
        /// from an AddForeignKey of the same name in the method, else from EF's naming convention
        /// <c>FK_{dependent}_{principal}_{columns}</c> when {principal} is a table the method names.
        /// </summary>
        private sealed class PrincipalTables
        {
            private readonly MigrationModel _model;
            private List<TableName>? _known;

            public PrincipalTables(MigrationModel model)
            {
                _model = model;
            }

            public TableName? Of(MigrationStep drop)
            {
                if (drop.Name is not { } name || drop.Table is not { } dependent)
                {
                    return null;
                }

                foreach (var step in _model.Steps)
                {
                    if (step.MethodName == "AddForeignKey" && !step.IsExtension && step.Name == name && step.Table == dependent
                        && step.GetString("principalTable") is { } principal)
                    {
                        return new TableName(step.GetString("principalSchema"), principal);
                    }
                }

                var prefix = "FK_" + dependent.Name + "_";
                if (!name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return null;
                }

                TableName? best = null;
                foreach (var table in Known())
                {
                    // The longest table name that fits, so "Users_Archive" wins over "Users".
                    if (name.Length > prefix.Length + table.Name.Length
                        && string.CompareOrdinal(name, prefix.Length, table.Name, 0, table.Name.Length) == 0
                        && name[prefix.Length + table.Name.Length] == '_'
                        && (best is null || table.Name.Length > best.Value.Name.Length))
                    {
                        best = table;
                    }
                }

                return best;
            }

            private List<TableName> Known()
            {
                if (_known != null)
                {
                    return _known;
                }

                _known = new List<TableName>();
                foreach (var step in _model.Steps)
                {
                    if (step.Table is { } table && !_known.Contains(table))
                    {
                        _known.Add(table);
                    }

                    if (step.GetString("principalTable") is { } principal)
                    {
                        var name = new TableName(step.GetString("principalSchema"), principal);
                        if (!_known.Contains(name))
                        {
                            _known.Add(name);
                        }
                    }
                }

                foreach (var statement in _model.SqlStatements())
                {
                    if (TableName.From(statement.Statement.Table) is { } table && !_known.Contains(table))
                    {
                        _known.Add(table);
                    }
                }

                return _known;
            }
        }
    }
}
