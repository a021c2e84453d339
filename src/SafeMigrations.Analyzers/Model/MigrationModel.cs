using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Model
{
    public enum MigrationDirection
    {
        Up,
        Down,
    }

    /// <summary>One raw SQL statement together with the <c>Sql(...)</c> step it is in.</summary>
    public readonly struct StepStatement
    {
        internal StepStatement(MigrationStep step, SqlStatement statement, int statementIndex)
        {
            Step = step;
            Statement = statement;
            StatementIndex = statementIndex;
        }

        public MigrationStep Step { get; }

        public SqlStatement Statement { get; }

        /// <summary>Position of the statement within its <c>Sql(...)</c> call.</summary>
        public int StatementIndex { get; }

        /// <summary>The <c>Sql(...)</c> call's SQL argument: where raw-SQL diagnostics go.</summary>
        public Location Location => Step.Sql!.Location;
    }

    /// <summary>The read <c>Up</c> or <c>Down</c> method of one migration class.</summary>
    public sealed class MigrationModel
    {
        private readonly Lazy<Created> _created;

        internal MigrationModel(INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction, bool isContractPhaseClass, ImmutableArray<MigrationStep> steps, SyntaxTree? syntaxTree, bool readFromOwnSyntax = false)
        {
            SyntaxTree = syntaxTree;
            ReadFromOwnSyntax = readFromOwnSyntax;
            MigrationType = migrationType;
            Method = method;
            Direction = direction;
            IsContractPhaseClass = isContractPhaseClass;
            Steps = steps;
            _created = new Lazy<Created>(() => Created.Compute(this), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public INamedTypeSymbol MigrationType { get; }

        /// <summary>The file the method body is in (options come from its .editorconfig section).</summary>
        public SyntaxTree? SyntaxTree { get; }

        /// <summary>The <c>Up</c> or <c>Down</c> override.</summary>
        public IMethodSymbol Method { get; }

        public MigrationDirection Direction { get; }

        /// <summary>
        /// Read from syntax, and every name the reader bound (type arguments, enum members) is declared in a referenced
        /// assembly: the model then depends on the method's own file and the references only (see <c>Reading/HistoryCache</c>).
        /// </summary>
        internal bool ReadFromOwnSyntax { get; }

        /// <summary><c>[ContractPhase]</c> is on the migration class: every step is in the contract phase.</summary>
        public bool IsContractPhaseClass { get; }

        /// <summary>MigrationBuilder calls in source order (calls inside loops and conditionals included, each once).</summary>
        public ImmutableArray<MigrationStep> Steps { get; }

        /// <summary>Every statement of every constant <c>Sql(...)</c> step, in order.</summary>
        public IEnumerable<StepStatement> SqlStatements()
        {
            foreach (var step in Steps)
            {
                if (step.Sql is { IsConstant: true } sql)
                {
                    var statements = sql.Statements;
                    for (var i = 0; i < statements.Count; i++)
                    {
                        yield return new StepStatement(step, statements[i], i);
                    }
                }
            }
        }

        /// <summary>Tables created in this method (CreateTable, raw CREATE TABLE), in order.</summary>
        public IEnumerable<TableName> CreatedTables
        {
            get
            {
                foreach (var entry in _created.Value.Tables)
                {
                    yield return entry.Table;
                }
            }
        }

        /// <summary>Some CreateTable or raw SQL of this method could not be read (non-constant name or SQL).</summary>
        public bool HasUnreadableCreates => _created.Value.HasUnreadable;

        /// <summary>True when <paramref name="table"/> is created before the given step (and, inside a Sql step, before the given statement).</summary>
        public bool IsTableCreatedBefore(TableName table, int stepIndex, int statementIndex = -1)
        {
            foreach (var entry in _created.Value.Tables)
            {
                if (entry.Table == table && (entry.Step < stepIndex || (entry.Step == stepIndex && entry.Statement < statementIndex)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Everything this method did that the opposite method may revert (created, renamed, altered, dropped).</summary>
        internal ImmutableHashSet<ObjectKey> ChangedObjects => _created.Value.Objects;

        public override string ToString() => MigrationType.Name + "." + Direction;

        private sealed class Created
        {
            public List<(TableName Table, int Step, int Statement)> Tables { get; } = new List<(TableName, int, int)>();

            public ImmutableHashSet<ObjectKey> Objects { get; private set; } = ImmutableHashSet<ObjectKey>.Empty;

            public bool HasUnreadable { get; private set; }

            public static Created Compute(MigrationModel model)
            {
                var created = new Created();
                var objects = ImmutableHashSet.CreateBuilder<ObjectKey>();
                foreach (var step in model.Steps)
                {
                    if (step.Sql is { } sql)
                    {
                        if (!sql.IsConstant)
                        {
                            created.HasUnreadable = true;
                            continue;
                        }

                        var statements = sql.Statements;
                        for (var i = 0; i < statements.Count; i++)
                        {
                            if (statements[i].Kind == StatementKind.CreateTable && TableName.From(statements[i].Table) is { } table)
                            {
                                created.Tables.Add((table, step.Index, i));
                            }

                            objects.UnionWith(ObjectKey.ChangedBy(statements[i]));
                        }

                        continue;
                    }

                    if (step.MethodName == "CreateTable")
                    {
                        if (step.Table is { } table)
                        {
                            created.Tables.Add((table, step.Index, -1));
                        }
                        else
                        {
                            created.HasUnreadable = true;
                        }
                    }

                    objects.UnionWith(ObjectKey.ChangedBy(step));
                }

                created.Objects = objects.ToImmutable();
                return created;
            }
        }
    }
}
