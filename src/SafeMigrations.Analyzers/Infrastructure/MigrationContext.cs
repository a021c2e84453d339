using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>What a rule sees: one read Up or Down method, the options for its file, and report methods that apply the shared exemptions.</summary>
    public sealed class MigrationContext
    {
        private readonly Action<Diagnostic> _report;

        internal MigrationContext(MigrationModel model, MigrationModel? upModel, MigrationOptions options, RuleExemptions exemptions, Action<Diagnostic> report, CancellationToken cancellationToken, SchemaFacts? schema = null, TableSizeContext? sizes = null)
        {
            Schema = schema ?? SchemaFacts.None;
            Sizes = sizes ?? TableSizeContext.None;
            Model = model;
            UpModel = upModel;
            Options = options;
            Exemptions = exemptions;
            _report = report;
            CancellationToken = cancellationToken;
        }

        /// <summary>The method being analysed.</summary>
        public MigrationModel Model { get; }

        /// <summary>When <see cref="Model"/> is <c>Down</c>: the same class's <c>Up</c> (null if it has none). Null for <c>Up</c>.</summary>
        public MigrationModel? UpModel { get; }

        public MigrationOptions Options { get; }

        /// <summary>What the earlier migrations built (Up only; answers null when unknown).</summary>
        public SchemaFacts Schema { get; }

        /// <summary>What the statistics snapshot says about the tables (nothing when there is none).</summary>
        public TableSizeContext Sizes { get; }

        /// <summary>The exemptions of the rule being run.</summary>
        public RuleExemptions Exemptions { get; }

        public CancellationToken CancellationToken { get; }

        public bool IsDown => Model.Direction == MigrationDirection.Down;

        /// <summary>Reports on a builder step, at its invocation, unless an exemption applies.</summary>
        public void Report(DiagnosticDescriptor descriptor, MigrationStep step, params object?[] messageArgs)
        {
            if (!IsExempt(step))
            {
                var properties = IsReportedRevert(RevertOf(step)) ? DiagnosticProperties.RevertOfUp : null;
                (descriptor, messageArgs) = Sizes.Annotate(descriptor, TablesOf(step), messageArgs);
                _report(CombinedImpact.Create(descriptor, Model, step, -1, step.Location, properties, messageArgs));
            }
        }

        /// <summary>Reports on a builder step with other locations (for the code fix) and properties, unless an exemption applies.</summary>
        public void Report(DiagnosticDescriptor descriptor, MigrationStep step, IEnumerable<Location> additionalLocations, ImmutableDictionary<string, string?> properties, params object?[] messageArgs)
        {
            if (!IsExempt(step))
            {
                (descriptor, messageArgs) = Sizes.Annotate(descriptor, TablesOf(step), messageArgs);
                _report(Diagnostic.Create(descriptor, step.Location, additionalLocations, WithRevert(properties, RevertOf(step)), messageArgs));
            }
        }

        /// <summary>Reports on a raw SQL statement, at the <c>Sql(...)</c> argument, unless an exemption applies.</summary>
        public void Report(DiagnosticDescriptor descriptor, StepStatement statement, params object?[] messageArgs)
        {
            if (!IsExempt(statement))
            {
                (descriptor, messageArgs) = Sizes.Annotate(descriptor, TablesOf(statement.Statement), messageArgs);
                _report(CombinedImpact.Create(descriptor, Model, statement.Step, statement.StatementIndex, statement.Location, WithRevert(DiagnosticProperties.For(statement, null), RevertOf(statement, null)), messageArgs));
            }
        }

        /// <summary>Reports on one ALTER TABLE action of a raw statement, unless an exemption applies.</summary>
        public void Report(DiagnosticDescriptor descriptor, StepStatement statement, AlterTableAction action, params object?[] messageArgs)
        {
            if (!IsExempt(statement, action))
            {
                (descriptor, messageArgs) = Sizes.Annotate(descriptor, TablesOf(statement.Statement), messageArgs);
                _report(CombinedImpact.Create(descriptor, Model, statement.Step, statement.StatementIndex, statement.Location, WithRevert(DiagnosticProperties.For(statement, action), RevertOf(statement, action)), messageArgs));
            }
        }

        /// <summary>True when the rule's exemptions cover this builder step.</summary>
        public bool IsExempt(MigrationStep step)
        {
            if (Has(RuleExemptions.ContractPhase) && step.IsContractPhase)
            {
                return true;
            }

            var table = step.Table;
            if (Has(RuleExemptions.TablesCreatedEarlier))
            {
                if (table is { } t ? Model.IsTableCreatedBefore(t, step.Index) : TableUnknownButMaybeNew(step))
                {
                    return true;
                }
            }

            if (Has(RuleExemptions.SmallTables) && table is { } small && IsSmallTable(small))
            {
                return true;
            }

            return Has(RuleExemptions.UndoInDown) && IsExemptRevert(RevertOf(step));
        }

        /// <summary>True when the rule's exemptions cover this raw statement (every table it names).</summary>
        public bool IsExempt(StepStatement statement) => IsExempt(statement, null);

        /// <summary>True when the rule's exemptions cover this ALTER TABLE action (or the whole statement when <paramref name="action"/> is null).</summary>
        public bool IsExempt(StepStatement statement, AlterTableAction? action)
        {
            var step = statement.Step;
            if (Has(RuleExemptions.ContractPhase) && step.IsContractPhase)
            {
                return true;
            }

            var tables = TablesOf(statement.Statement);
            if (Has(RuleExemptions.TablesCreatedEarlier) && tables.Count > 0
                && tables.TrueForAll(t => Model.IsTableCreatedBefore(t, step.Index, statement.StatementIndex)))
            {
                return true;
            }

            if (Has(RuleExemptions.SmallTables) && tables.Count > 0 && tables.TrueForAll(IsSmallTable))
            {
                return true;
            }

            return Has(RuleExemptions.UndoInDown) && IsExemptRevert(RevertOf(statement, action));
        }

        /// <summary>Listed in <c>safe_migrations.small_tables</c>, or under <c>safe_migrations.small_table_rows</c> in the statistics snapshot.</summary>
        public bool IsSmallTable(TableName table) => Options.IsSmallTable(table) || Sizes.IsSmall(table);

        private bool Has(RuleExemptions exemption) => (Exemptions & exemption) != 0;

        /// <summary>How a Down step relates to what the same migration's Up did.</summary>
        private enum Revert
        {
            /// <summary>Not in Down, or reverts nothing Up did.</summary>
            None,

            /// <summary>Removes only what Up created: never reported.</summary>
            RemovesCreated,

            /// <summary>Re-creates what Up dropped, alters or renames back: reported under <c>safe_migrations.analyze_down</c>.</summary>
            Restores,
        }

        private bool IsExemptRevert(Revert revert) => revert == Revert.RemovesCreated || (revert == Revert.Restores && !Options.AnalyzeDown);

        /// <summary>A reported Down step that restores what Up changed: code fixes leave it alone (they rewrite Up's side).</summary>
        private bool IsReportedRevert(Revert revert) => revert == Revert.Restores && Has(RuleExemptions.UndoInDown);

        private ImmutableDictionary<string, string?> WithRevert(ImmutableDictionary<string, string?> properties, Revert revert) =>
            IsReportedRevert(revert) ? properties.AddRange(DiagnosticProperties.RevertOfUp) : properties;

        private Revert RevertOf(MigrationStep step) =>
            IsDown && UpModel != null && ObjectKey.RevertedBy(step) is { } key && UpModel.ChangedObjects.Contains(key)
                ? (key.IsCreation ? Revert.RemovesCreated : Revert.Restores)
                : Revert.None;

        private Revert RevertOf(StepStatement statement, AlterTableAction? action)
        {
            if (!IsDown || UpModel is null)
            {
                return Revert.None;
            }

            if (action != null)
            {
                return TableName.From(statement.Statement.Table) is { } table
                       && ObjectKey.RevertedBy(table, action) is { } key
                       && UpModel.ChangedObjects.Contains(key)
                    ? (key.IsCreation ? Revert.RemovesCreated : Revert.Restores)
                    : Revert.None;
            }

            var keys = ObjectKey.RevertedBy(statement.Statement);
            if (keys.Count == 0 || !keys.TrueForAll(UpModel.ChangedObjects.Contains))
            {
                return Revert.None;
            }

            return keys.TrueForAll(k => k.IsCreation) ? Revert.RemovesCreated : Revert.Restores;
        }

        /// <summary>The table is not a constant: exempt only when the method creates tables, since it may be one of them.</summary>
        private bool TableUnknownButMaybeNew(MigrationStep step)
        {
            if (step.MethodName == "DropIndex" || step.MethodName == "RenameIndex")
            {
                // The table argument is optional for these; an index created earlier in this method is on a new table
                // only if we know that table, which we do not. Treat as existing.
                return false;
            }

            return Model.HasUnreadableCreates || step.Index > 0 && AnyTableCreatedBefore(step.Index);
        }

        private bool AnyTableCreatedBefore(int stepIndex)
        {
            foreach (var table in Model.CreatedTables)
            {
                if (Model.IsTableCreatedBefore(table, stepIndex))
                {
                    return true;
                }
            }

            return false;
        }

        private static TableName[] TablesOf(MigrationStep step) => step.Table is { } table ? new[] { table } : Array.Empty<TableName>();

        private static List<TableName> TablesOf(SqlStatement statement)
        {
            var tables = new List<TableName>();
            if (TableName.From(statement.Table) is { } table)
            {
                tables.Add(table);
            }

            foreach (var other in statement.Tables)
            {
                var name = new TableName(other.Schema, other.Name);
                if (!tables.Contains(name))
                {
                    tables.Add(name);
                }
            }

            return tables;
        }
    }
}
