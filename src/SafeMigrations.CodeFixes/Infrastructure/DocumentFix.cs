using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// One fixer's rewrite of one document: the document's syntax, semantic model and text, the fixer's diagnostics
    /// sorted into raw-SQL ones (grouped by their <c>Sql(...)</c> call) and builder-step ones, and the text changes the
    /// fixer collects; <see cref="MigrationFixer"/> applies them together.
    /// </summary>
    internal sealed class DocumentFix
    {
        private readonly Dictionary<InvocationExpressionSyntax, List<Diagnostic>> _sqlDiagnostics;
        private readonly List<TextChange> _changes = new List<TextChange>();

        private DocumentFix(Document document, SyntaxNode root, SemanticModel model, SourceText text, Dictionary<InvocationExpressionSyntax, List<Diagnostic>> sqlDiagnostics, IReadOnlyList<Diagnostic> builderDiagnostics, CancellationToken cancellationToken)
        {
            Document = document;
            Root = root;
            Model = model;
            Text = text;
            _sqlDiagnostics = sqlDiagnostics;
            BuilderDiagnostics = builderDiagnostics;
            CancellationToken = cancellationToken;
        }

        public Document Document { get; }

        public SyntaxNode Root { get; }

        public SemanticModel Model { get; }

        public SourceText Text { get; }

        public CancellationToken CancellationToken { get; }

        /// <summary>The diagnostics reported on builder steps (<c>migrationBuilder.CreateIndex(...)</c>), not on raw SQL.</summary>
        public IReadOnlyList<Diagnostic> BuilderDiagnostics { get; }

        /// <summary>Null when the document has no syntax root or semantic model (nothing to fix then).</summary>
        public static async Task<DocumentFix?> ReadAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return null;
            }

            var sqlDiagnostics = GroupBySqlCall(root, diagnostics, out var builderDiagnostics);
            return new DocumentFix(document, root, model, text, sqlDiagnostics, builderDiagnostics, cancellationToken);
        }

        public void Add(TextChange change) => _changes.Add(change);

        public void AddRange(IEnumerable<TextChange> changes) => _changes.AddRange(changes);

        /// <summary>Replaces <paramref name="statement"/> by <paramref name="lines"/> (see <see cref="MigrationSyntax.ReplaceStatement"/>).</summary>
        public void ReplaceStatement(ExpressionStatementSyntax statement, IEnumerable<string> lines) =>
            _changes.Add(MigrationSyntax.ReplaceStatement(statement, Text, lines));

        public void InsertCommentsBefore(StatementSyntax statement, params string[] comments) =>
            _changes.Add(MigrationSyntax.InsertCommentsBefore(statement, Text, comments));

        /// <summary>The document with every collected change applied.</summary>
        public Task<Document> ApplyAsync() => MigrationSyntax.ApplyAsync(Document, _changes, CancellationToken);

        /// <summary>The flagged <c>Sql(...)</c> calls whose SQL is a compile-time constant, each with its diagnostics.</summary>
        public IEnumerable<(SqlCallRewrite Call, List<Diagnostic> Diagnostics)> SqlCalls()
        {
            foreach (var group in _sqlDiagnostics)
            {
                if (SqlCallRewrite.Read(Model, group.Key, CancellationToken) is { } call)
                {
                    yield return (call, group.Value);
                }
            }
        }

        /// <summary>
        /// Replaces every flagged <c>Sql(...)</c> call: <paramref name="rewrite"/> gives the code of a flagged statement,
        /// or null to keep it as SQL (grouped with its kept neighbours).
        /// </summary>
        public void RewriteFlaggedStatements(Func<SqlCallRewrite, SqlStatement, IReadOnlyList<string>?> rewrite)
        {
            foreach (var (call, diagnostics) in SqlCalls())
            {
                var flagged = SqlCallRewrite.StatementIndexes(diagnostics);
                var rewritten = false;
                var lines = call.Rewrite((index, statement) =>
                {
                    var replacement = flagged.Contains(index) ? rewrite(call, statement) : null;
                    rewritten |= replacement != null;
                    return replacement;
                });

                // A call none of whose statements changes keeps its own text (no re-rendering).
                if (rewritten)
                {
                    ReplaceStatement(call.Statement, lines);
                }
            }
        }

        /// <summary>As <see cref="RewriteFlaggedStatements"/>, with <see cref="SqlStatementEdits.Rewrite"/>'s statement edits.</summary>
        public void EditFlaggedStatements(Func<SqlCallRewrite, SqlStatement, StatementEdit?> edit)
        {
            foreach (var (call, diagnostics) in SqlCalls())
            {
                var flagged = SqlCallRewrite.StatementIndexes(diagnostics);
                ReplaceStatement(call.Statement, SqlStatementEdits.Rewrite(call, (index, statement) => flagged.Contains(index) ? edit(call, statement) : null));
            }
        }

        /// <summary>
        /// Rewrites every flagged statement, passing it its own diagnostics; <paramref name="fix"/> returns the
        /// replacement code or null to keep the statement. A call none of whose statements changes is left as written.
        /// </summary>
        public void RewriteStatements(Func<SqlCallRewrite, SqlStatement, IReadOnlyList<Diagnostic>, IReadOnlyList<string>?> fix)
        {
            foreach (var (call, diagnostics) in SqlCalls())
            {
                var rewritten = false;
                var lines = call.Rewrite((index, statement) =>
                {
                    var own = diagnostics.FindAll(d => DiagnosticProperties.ReadIndex(d.Properties, DiagnosticProperties.StatementIndex) == index);
                    var replacement = own.Count > 0 ? fix(call, statement, own) : null;
                    rewritten |= replacement != null;
                    return replacement;
                });
                if (rewritten)
                {
                    ReplaceStatement(call.Statement, lines);
                }
            }
        }

        /// <summary>
        /// Rewrites every flagged ALTER TABLE action (<see cref="DiagnosticProperties.ActionIndex"/>); kept actions of the
        /// same statement stay together as SQL, in order.
        /// </summary>
        public void RewriteActions(Func<SqlCallRewrite, SqlStatement, AlterTableAction, IReadOnlyList<string>?> fix)
        {
            RewriteStatements((call, statement, own) =>
            {
                var actions = new HashSet<int>();
                foreach (var diagnostic in own)
                {
                    actions.Add(DiagnosticProperties.ReadIndex(diagnostic.Properties, DiagnosticProperties.ActionIndex));
                }

                return statement.Table is null
                    ? null
                    : SqlFix.RewriteActions(statement, call.Receiver, call.SuppressTransaction,
                        (actionIndex, action) => actions.Contains(actionIndex) ? fix(call, statement, action) : null);
            });
        }

        /// <summary>The flagged builder calls of <paramref name="method"/>, each with the statement that holds it.</summary>
        public IEnumerable<(InvocationExpressionSyntax Invocation, ExpressionStatementSyntax Statement)> BuilderStatements(string method)
        {
            foreach (var diagnostic in BuilderDiagnostics)
            {
                if (MigrationSyntax.FindInvocation(Root, diagnostic) is { } invocation
                    && MigrationSyntax.MethodName(invocation) == method
                    && MigrationSyntax.StatementOf(invocation) is { } statement)
                {
                    yield return (invocation, statement);
                }
            }
        }

        /// <summary>The flagged builder calls of <paramref name="method"/>, read as steps with their arguments.</summary>
        public IEnumerable<StepCall> StepCalls(string method)
        {
            foreach (var diagnostic in BuilderDiagnostics)
            {
                if (MigrationSyntax.FindInvocation(Root, diagnostic) is { } invocation
                    && StepCall.Read(Model, invocation, CancellationToken) is { } call && call.Method == method)
                {
                    yield return call;
                }
            }
        }

        /// <summary>The flagged builder calls of the first of <paramref name="methods"/> each diagnostic points at.</summary>
        public IEnumerable<BuilderCall> BuilderCalls(params string[] methods)
        {
            foreach (var diagnostic in BuilderDiagnostics)
            {
                foreach (var method in methods)
                {
                    if (BuilderCall.Read(Root, Model, diagnostic, method, CancellationToken) is { } call)
                    {
                        yield return call;
                        break;
                    }
                }
            }
        }

        private static Dictionary<InvocationExpressionSyntax, List<Diagnostic>> GroupBySqlCall(SyntaxNode root, IEnumerable<Diagnostic> diagnostics, out List<Diagnostic> builderDiagnostics)
        {
            var groups = new Dictionary<InvocationExpressionSyntax, List<Diagnostic>>();
            builderDiagnostics = new List<Diagnostic>();
            foreach (var diagnostic in diagnostics)
            {
                if (!diagnostic.Properties.ContainsKey(DiagnosticProperties.StatementIndex))
                {
                    builderDiagnostics.Add(diagnostic);
                    continue;
                }

                if (MigrationSyntax.FindSqlInvocation(root, diagnostic) is { } invocation)
                {
                    if (!groups.TryGetValue(invocation, out var list))
                    {
                        groups[invocation] = list = new List<Diagnostic>();
                    }

                    list.Add(diagnostic);
                }
            }

            return groups;
        }
    }
}
