using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>One <c>MigrationBuilder</c> call in <c>Up</c> or <c>Down</c> (or an extension method on it).</summary>
    public sealed class MigrationStep : BuilderCall
    {
        private static readonly HashSet<string> TableIsNameMethods = new HashSet<string>(StringComparer.Ordinal)
        {
            "CreateTable", "DropTable", "RenameTable", "AlterTable",
        };

        internal MigrationStep(
            int index,
            InvocationExpressionSyntax syntax,
            IMethodSymbol method,
            IInvocationOperation? operation,
            ImmutableDictionary<string, StepValue> arguments,
            ImmutableArray<StepAnnotation> annotations,
            bool hasContractMark,
            bool isContractClass,
            ImmutableArray<ColumnDefinition> columns,
            SqlCall? sql)
            : base(syntax, method, operation, arguments, annotations)
        {
            Index = index;
            HasContractMark = hasContractMark;
            IsContractPhase = hasContractMark || isContractClass;
            Columns = columns;
            Sql = sql;
        }

        /// <summary>Position in <see cref="MigrationModel.Steps"/>.</summary>
        public int Index { get; }

        /// <summary>An extension method on MigrationBuilder (e.g. SafeMigrations' own safe steps) rather than one of its methods.</summary>
        public bool IsExtension => Method.IsExtensionMethod;

        /// <summary>MigrationBuilder's own <paramref name="name"/> (<c>DropIndex</c>), not an extension method of that name.</summary>
        public bool IsBuilderMethod(string name) => MethodName == name && !IsExtension;

        /// <summary>One of the runtime library's safe steps (<c>SafeMigrations.SafeMigrationBuilderExtensions.&lt;name&gt;</c>).</summary>
        public bool IsSafeStep(string name) =>
            IsExtension && MethodName == name
            && Method.ContainingType is { Name: "SafeMigrationBuilderExtensions" } type
            && type.ContainingNamespace is { Name: "SafeMigrations" } ns && ns.ContainingNamespace is { IsGlobalNamespace: true };

        /// <summary>The step itself is marked <c>.InContractPhase()</c> (or carries <c>SafeMigrations:Phase = Contract</c>).</summary>
        public bool HasContractMark { get; }

        /// <summary>The step runs in the contract phase: its own mark or <c>[ContractPhase]</c> on the migration class.</summary>
        public bool IsContractPhase { get; }

        /// <summary>The <c>name:</c> argument when constant (index, column, table, constraint... name).</summary>
        public string? Name => GetString("name");

        /// <summary>The <c>schema:</c> argument when constant.</summary>
        public string? Schema => GetString("schema");

        /// <summary>
        /// The table the step works on: <c>name</c> for CreateTable/DropTable/RenameTable/AlterTable, else <c>table</c>;
        /// with <c>schema</c>. Null when the step has no table or it is not a constant.
        /// </summary>
        public TableName? Table
        {
            get
            {
                var tableName = GetString(TableIsNameMethods.Contains(MethodName) ? "name" : "table");
                if (tableName is null)
                {
                    return null;
                }

                var schema = this["schema"];
                if (schema.IsKnown && !schema.HasConstant)
                {
                    return null;
                }

                return new TableName(schema.AsString(), tableName);
            }
        }

        /// <summary>CreateTable's columns (empty for other steps).</summary>
        public ImmutableArray<ColumnDefinition> Columns { get; }

        /// <summary>The raw SQL of a <c>Sql(...)</c> step; null for other steps.</summary>
        public SqlCall? Sql { get; }

        public override string ToString() => MethodName + (Name is null ? string.Empty : " " + Name);
    }

    /// <summary>The SQL of a <c>migrationBuilder.Sql(...)</c> call.</summary>
    public sealed class SqlCall
    {
        private readonly Lazy<IReadOnlyList<SqlStatement>> _statements;

        internal SqlCall(string? text, bool? suppressTransaction, Location location)
        {
            Text = text;
            SuppressTransaction = suppressTransaction;
            Location = location;
            _statements = new Lazy<IReadOnlyList<SqlStatement>>(
                () => text is null ? Array.Empty<SqlStatement>() : StatementScanner.Scan(text),
                LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>The SQL text when it is a compile-time constant (regular, verbatim, raw, folded concatenation or interpolation).</summary>
        public string? Text { get; }

        /// <summary>False for SQL computed at run time: nothing is known about it and nothing is reported.</summary>
        public bool IsConstant => Text != null;

        /// <summary><c>suppressTransaction:</c> (false when omitted); null when not a constant.</summary>
        public bool? SuppressTransaction { get; }

        /// <summary>The location of the SQL argument: where raw-SQL diagnostics go.</summary>
        public Location Location { get; }

        /// <summary>The top-level statements (scanned on first use; empty for non-constant SQL).</summary>
        public IReadOnlyList<SqlStatement> Statements => _statements.Value;
    }
}
