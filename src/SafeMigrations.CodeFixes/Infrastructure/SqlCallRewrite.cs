using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// A constant <c>migrationBuilder.Sql(...)</c> call, split into its statements, and rewritten statement by
    /// statement: untouched neighbours stay together in one <c>Sql(...)</c> call with the original transaction flag;
    /// each rewritten statement becomes the code its fixer produces.
    /// </summary>
    internal sealed class SqlCallRewrite
    {
        private SqlCallRewrite(InvocationExpressionSyntax invocation, ExpressionStatementSyntax statement, string receiver, bool suppressTransaction, IReadOnlyList<SqlStatement> statements)
        {
            Invocation = invocation;
            Statement = statement;
            Receiver = receiver;
            SuppressTransaction = suppressTransaction;
            Statements = statements;
        }

        public InvocationExpressionSyntax Invocation { get; }

        public ExpressionStatementSyntax Statement { get; }

        /// <summary>The builder variable, e.g. <c>migrationBuilder</c>.</summary>
        public string Receiver { get; }

        public bool SuppressTransaction { get; }

        public IReadOnlyList<SqlStatement> Statements { get; }

        /// <summary>Reads a Sql(...) call whose SQL is a compile-time constant; null otherwise.</summary>
        public static SqlCallRewrite? Read(SemanticModel model, InvocationExpressionSyntax invocation, System.Threading.CancellationToken cancellationToken)
        {
            if (!(model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation)
                || !(MigrationSyntax.StatementOf(invocation) is { } statement)
                || !ReferenceEquals(statement.Expression, invocation))
            {
                return null;
            }

            string? sql = null;
            var suppress = false;
            foreach (var argument in operation.Arguments)
            {
                var value = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
                switch (argument.Parameter?.Name)
                {
                    case "sql":
                        sql = value.ConstantValue.HasValue ? value.ConstantValue.Value as string : null;
                        break;
                    case "suppressTransaction":
                        suppress = value.ConstantValue.HasValue && value.ConstantValue.Value is true;
                        break;
                }
            }

            return sql is null ? null : new SqlCallRewrite(invocation, statement, MigrationSyntax.Receiver(invocation), suppress, StatementScanner.Scan(sql));
        }

        /// <summary>The statement indexes the raw-SQL diagnostics point at.</summary>
        public static HashSet<int> StatementIndexes(IEnumerable<Diagnostic> diagnostics) =>
            new HashSet<int>(diagnostics.Select(d => DiagnosticProperties.ReadIndex(d.Properties, DiagnosticProperties.StatementIndex)).Where(i => i >= 0));

        /// <summary>
        /// The replacement lines for the whole call: <paramref name="rewrite"/> returns the code for a statement it
        /// changes, or null to keep the statement as SQL.
        /// </summary>
        public IReadOnlyList<string> Rewrite(Func<int, SqlStatement, IReadOnlyList<string>?> rewrite)
        {
            var lines = new List<string>();
            var pending = new List<string>();
            for (var i = 0; i < Statements.Count; i++)
            {
                var replacement = rewrite(i, Statements[i]);
                if (replacement is null)
                {
                    pending.Add(Statements[i].Text);
                    continue;
                }

                Flush();
                lines.AddRange(replacement);
            }

            Flush();
            return lines;

            void Flush()
            {
                if (pending.Count > 0)
                {
                    lines.Add(SqlCode(Receiver, pending, SuppressTransaction));
                    pending.Clear();
                }
            }
        }

        /// <summary><c>migrationBuilder.Sql("...;").InContractPhase();</c></summary>
        public static string ContractSqlCode(string receiver, string statement, bool suppressTransaction)
        {
            var code = SqlCode(receiver, new[] { statement }, suppressTransaction);
            return code.Substring(0, code.Length - 1) + ".InContractPhase();";
        }

        /// <summary><c>migrationBuilder.Sql(@"...;");</c> for one or more statements.</summary>
        public static string SqlCode(string receiver, IReadOnlyList<string> statements, bool suppressTransaction)
        {
            var text = statements.Count == 1 ? statements[0] + ";" : string.Join(";\n", statements) + ";";
            return receiver + ".Sql(" + CSharpCode.String(text) + (suppressTransaction ? ", suppressTransaction: true" : string.Empty) + ");";
        }
    }
}
