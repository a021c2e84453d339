using System.Collections.Generic;
using System.Collections.Immutable;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>
    /// What one step of an <c>Up</c> does to the schema history, read out of its <see cref="MigrationStep"/> with the
    /// store types already looked up: strings and records only, no symbol or syntax, so it can outlive its compilation.
    /// </summary>
    internal sealed class HistoryStep
    {
        public HistoryStep(
            int index,
            bool isSql,
            IReadOnlyList<SqlStatement>? statements,
            string methodName,
            bool isExtension,
            TableName? table,
            string? name,
            string? schema,
            string? newName,
            TableName? renamedTo,
            string? column,
            ImmutableArray<string> columns,
            ColumnState? columnState,
            ImmutableDictionary<string, ColumnState>? createdColumns,
            ImmutableArray<string?> constraintNames,
            string? filter = null)
        {
            Filter = filter;
            Index = index;
            IsSql = isSql;
            Statements = statements;
            MethodName = methodName;
            IsExtension = isExtension;
            Table = table;
            Name = name;
            Schema = schema;
            NewName = newName;
            RenamedTo = renamedTo;
            Column = column;
            Columns = columns;
            ColumnState = columnState;
            CreatedColumns = createdColumns;
            ConstraintNames = constraintNames;
        }

        /// <summary>Position in the Up's steps (<see cref="MigrationStep.Index"/>).</summary>
        public int Index { get; }

        /// <summary>A <c>Sql(...)</c> step; its <see cref="Statements"/> are null when the SQL is not a constant.</summary>
        public bool IsSql { get; }

        public IReadOnlyList<SqlStatement>? Statements { get; }

        public string MethodName { get; }

        public bool IsExtension { get; }

        public TableName? Table { get; }

        /// <summary><c>name:</c> when constant.</summary>
        public string? Name { get; }

        /// <summary><c>schema:</c> when constant.</summary>
        public string? Schema { get; }

        /// <summary><c>newName:</c> when constant.</summary>
        public string? NewName { get; }

        /// <summary>RenameTable's target (<c>newSchema:</c> when written, else the table's schema); null when not known.</summary>
        public TableName? RenamedTo { get; }

        /// <summary><c>column:</c> when constant.</summary>
        public string? Column { get; }

        /// <summary><c>column:</c> or <c>columns:</c>; default when not constant.</summary>
        public ImmutableArray<string> Columns { get; }

        /// <summary>AddColumn/AlterColumn: the column it leaves; null when the table or name is not known.</summary>
        public ColumnState? ColumnState { get; }

        /// <summary>CreateTable: its columns; null when a column's name is not a constant.</summary>
        public ImmutableDictionary<string, ColumnState>? CreatedColumns { get; }

        /// <summary>CreateTable: the names of its PrimaryKey/UniqueConstraint calls (null for one not constant).</summary>
        public ImmutableArray<string?> ConstraintNames { get; }

        /// <summary>CreateIndex: its <c>filter:</c> (the partial index's WHERE clause), when a constant.</summary>
        public string? Filter { get; }
    }

    /// <summary>
    /// One migration's part of the schema history (its Up read into <see cref="HistoryStep"/>s), symbol-free so that
    /// <see cref="HistoryCache"/> can hand it to the next compilation while the migration's files stay the same.
    /// </summary>
    internal sealed class MigrationContribution
    {
        private Replay? _lastReplay;

        public MigrationContribution(bool hasReadableUp, bool createsTables, ImmutableArray<HistoryStep> steps, bool dependsOnOwnFilesOnly)
        {
            HasReadableUp = hasReadableUp;
            CreatesTables = createsTables;
            Steps = steps;
            DependsOnOwnFilesOnly = dependsOnOwnFilesOnly;
        }

        /// <summary>
        /// Up is declared in source and makes every step in its own body; when false the migration makes the whole
        /// history unsure (Up inherited, or its builder passed to a helper whose calls are not read).
        /// </summary>
        public bool HasReadableUp { get; }

        /// <summary>Up has a CreateTable step (the first migration of a history that has none is a baseline).</summary>
        public bool CreatesTables { get; }

        /// <summary>The steps of Up in order (also when <see cref="HasReadableUp"/> is false: rules replay them up to a step).</summary>
        public ImmutableArray<HistoryStep> Steps { get; }

        /// <summary>Read from the migration's own files and the referenced assemblies alone: safe to reuse while they are unchanged.</summary>
        public bool DependsOnOwnFilesOnly { get; }

        /// <summary>
        /// The schema after this migration runs on <paramref name="before"/>. The last answer is remembered: the next
        /// compilation replays an unchanged prefix of the history on the very same states and gets them back at once.
        /// </summary>
        public SchemaState After(SchemaState before)
        {
            var last = _lastReplay;
            if (last != null && ReferenceEquals(last.Before, before))
            {
                return last.After;
            }

            var after = HasReadableUp ? HistoryReader.Apply(before, Steps, int.MaxValue) : before.Unsure(null, indexes: true);
            _lastReplay = new Replay(before, after);
            return after;
        }

        private sealed class Replay
        {
            public Replay(SchemaState before, SchemaState after)
            {
                Before = before;
                After = after;
            }

            public SchemaState Before { get; }

            public SchemaState After { get; }
        }
    }
}
