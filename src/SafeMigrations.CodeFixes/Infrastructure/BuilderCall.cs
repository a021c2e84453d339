using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>A flagged builder call (<c>migrationBuilder.AddForeignKey(...)</c>) with its arguments' source text by parameter name.</summary>
    internal sealed class BuilderCall
    {
        private readonly Dictionary<string, string> _arguments;

        private BuilderCall(InvocationExpressionSyntax invocation, ExpressionStatementSyntax statement, Dictionary<string, string> arguments)
        {
            Invocation = invocation;
            Statement = statement;
            _arguments = arguments;
        }

        public InvocationExpressionSyntax Invocation { get; }

        /// <summary>The whole statement (the fluent chain included).</summary>
        public ExpressionStatementSyntax Statement { get; }

        public string Receiver => MigrationSyntax.Receiver(Invocation);

        /// <summary>Reads the call a builder-step diagnostic points at, when it is <paramref name="methodName"/>.</summary>
        public static BuilderCall? Read(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string methodName, CancellationToken cancellationToken)
        {
            if (!(MigrationSyntax.FindInvocation(root, diagnostic) is { } invocation)
                || MigrationSyntax.MethodName(invocation) != methodName
                || !(MigrationSyntax.StatementOf(invocation) is { } statement)
                || !(model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation))
            {
                return null;
            }

            var arguments = new Dictionary<string, string>();
            foreach (var argument in operation.Arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue && argument.Parameter is { } parameter
                    && argument.Syntax is ArgumentSyntax syntax)
                {
                    arguments[parameter.Name] = syntax.Expression.ToString();
                }
            }

            return new BuilderCall(invocation, statement, arguments);
        }

        /// <summary>The source text of the argument passed for <paramref name="parameter"/>; null when omitted.</summary>
        public string? Argument(string parameter) => _arguments.TryGetValue(parameter, out var code) ? code : null;

        /// <summary>Renames the invoked method, keeping every argument as written.</summary>
        public TextChange RenameMethod(string newName)
        {
            var name = ((MemberAccessExpressionSyntax)Invocation.Expression).Name;
            return new TextChange(name.Span, newName);
        }

        /// <summary><c>receiver.Method(name: ..., ...)</c> with the given (parameter, code) arguments, null codes left out.</summary>
        public static string Call(string receiver, string method, params (string Name, string? Code)[] arguments)
        {
            var parts = new List<string>();
            foreach (var (name, code) in arguments)
            {
                if (code != null)
                {
                    parts.Add(name + ": " + code);
                }
            }

            return receiver + "." + method + "(" + string.Join(", ", parts) + ");";
        }

        /// <summary>Inserts lines after the statement, each on its own line with the statement's indentation.</summary>
        public TextChange InsertAfter(SourceText text, IEnumerable<string> lines)
        {
            var indent = MigrationSyntax.Indentation(Statement, text);
            var newLine = MigrationSyntax.DetectNewLine(text);
            var inserted = string.Concat(System.Linq.Enumerable.Select(lines, l => newLine + indent + l));
            return new TextChange(new TextSpan(Statement.Span.End, 0), inserted);
        }
    }
}
