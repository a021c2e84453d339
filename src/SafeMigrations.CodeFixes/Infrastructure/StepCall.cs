using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// A <c>migrationBuilder.X&lt;T&gt;(name: ..., ...)</c> statement read through the semantic model: its explicit
    /// arguments (by parameter name, with their source text and constant value), its type argument and the fluent
    /// calls chained after it. Fixers rebuild such calls with some arguments changed (<see cref="Render"/>).
    /// </summary>
    internal sealed class StepCall
    {
        private readonly Dictionary<string, IOperation> _values;

        private StepCall(InvocationExpressionSyntax invocation, ExpressionStatementSyntax statement, string method, string? typeArgument, List<KeyValuePair<string, string>> arguments, Dictionary<string, IOperation> values, List<string> chain)
        {
            Invocation = invocation;
            Statement = statement;
            Method = method;
            TypeArgument = typeArgument;
            Arguments = arguments;
            _values = values;
            Chain = chain;
        }

        public InvocationExpressionSyntax Invocation { get; }

        /// <summary>The statement holding the call and its chain.</summary>
        public ExpressionStatementSyntax Statement { get; }

        public string Receiver => MigrationSyntax.Receiver(Invocation);

        public string Method { get; }

        /// <summary>Source text of the generic argument (<c>string</c> of <c>AddColumn&lt;string&gt;</c>), or null.</summary>
        public string? TypeArgument { get; }

        /// <summary>The generic argument's type (the column's CLR type of <c>AddColumn&lt;T&gt;</c>), or null.</summary>
        public ITypeSymbol? TypeArgumentSymbol { get; private set; }

        /// <summary>The explicit arguments in source order: parameter name → source text of the value.</summary>
        public List<KeyValuePair<string, string>> Arguments { get; }

        /// <summary>Chained calls as source text, e.g. <c>.Annotation("Npgsql:ValueGenerationStrategy", ...)</c>.</summary>
        public List<string> Chain { get; }

        /// <summary>Reads the call; null when it is not a whole statement (e.g. part of a larger expression).</summary>
        public static StepCall? Read(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
        {
            if (!(model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation)
                || MigrationSyntax.MethodName(invocation) is not { } method)
            {
                return null;
            }

            var chain = new List<string>();
            SyntaxNode node = invocation;
            while (node.Parent is MemberAccessExpressionSyntax member && member.Parent is InvocationExpressionSyntax outer)
            {
                chain.Add("." + member.Name + outer.ArgumentList);
                node = outer;
            }

            if (!(node.Parent is ExpressionStatementSyntax statement))
            {
                return null;
            }

            var arguments = new List<KeyValuePair<string, string>>();
            var values = new Dictionary<string, IOperation>(StringComparer.Ordinal);
            foreach (var argument in operation.Arguments.Where(a => a.ArgumentKind != ArgumentKind.DefaultValue && a.Parameter != null).OrderBy(a => a.Syntax.SpanStart))
            {
                var code = argument.Syntax is ArgumentSyntax syntax ? syntax.Expression.ToString() : argument.Syntax.ToString();
                arguments.Add(new KeyValuePair<string, string>(argument.Parameter!.Name, code));
                values[argument.Parameter.Name] = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
            }

            var typeArgument = invocation.Expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax generic }
                ? generic.TypeArgumentList.Arguments.FirstOrDefault()?.ToString()
                : null;
            return new StepCall(invocation, statement, method, typeArgument, arguments, values, chain)
            {
                TypeArgumentSymbol = operation.TargetMethod.TypeArguments.FirstOrDefault(),
            };
        }

        public bool Has(string name) => _values.ContainsKey(name);

        /// <summary>Source text of an explicit argument, or null.</summary>
        public string? Code(string name) => Arguments.FirstOrDefault(a => a.Key == name).Value;

        /// <summary>The constant string value of an argument, or null (omitted, null or not constant).</summary>
        public string? String(string name) =>
            _values.TryGetValue(name, out var value) && value.ConstantValue.HasValue ? value.ConstantValue.Value as string : null;

        /// <summary>The constant bool value of an argument, or null.</summary>
        public bool? Bool(string name) =>
            _values.TryGetValue(name, out var value) && value.ConstantValue.HasValue && value.ConstantValue.Value is bool b ? b : (bool?)null;

        /// <summary>The argument was written with a value other than the constant null.</summary>
        public bool HasValue(string name) =>
            _values.TryGetValue(name, out var value) && !(value.ConstantValue.HasValue && value.ConstantValue.Value is null);

        /// <summary>EF's AddColumn/AlterColumn: an omitted <c>nullable</c> means NOT NULL.</summary>
        public bool IsNotNull => Bool("nullable") != true;

        /// <summary>The arguments with <paramref name="remove"/> left out and <paramref name="set"/> replaced in place or appended.</summary>
        public List<KeyValuePair<string, string>> ArgumentsWith(IEnumerable<KeyValuePair<string, string>>? set = null, params string[] remove)
        {
            var result = Arguments.Where(a => Array.IndexOf(remove, a.Key) < 0).ToList();
            foreach (var change in set ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                var index = result.FindIndex(a => a.Key == change.Key);
                if (index >= 0)
                {
                    result[index] = change;
                }
                else
                {
                    result.Add(change);
                }
            }

            return result;
        }

        /// <summary>
        /// <c>receiver.Method&lt;T&gt;(</c> one named argument a line <c>)</c> plus chained calls, the layout of
        /// <c>dotnet ef migrations add</c>, ending with a semicolon.
        /// </summary>
        public static string Render(string receiver, string method, string? typeArgument, IEnumerable<KeyValuePair<string, string>> arguments, IEnumerable<string>? chain = null)
        {
            var lines = arguments.Select(a => "    " + a.Key + ": " + a.Value).ToList();
            var call = receiver + "." + method + (typeArgument is null ? string.Empty : "<" + typeArgument + ">") + "(\n" + string.Join(",\n", lines) + ")";
            foreach (var link in chain ?? Enumerable.Empty<string>())
            {
                call += "\n    " + link;
            }

            return call + ";";
        }

        /// <summary>A one-line call with named arguments (the SafeMigrations steps), ending with a semicolon.</summary>
        public static string RenderLine(string receiver, string method, params (string Name, string? Code)[] arguments) =>
            receiver + "." + method + "(" + string.Join(", ", arguments.Where(a => a.Code != null).Select(a => a.Name + ": " + a.Code)) + ");";

        public static KeyValuePair<string, string> Arg(string name, string code) => new KeyValuePair<string, string>(name, code);
    }
}
