using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>A column as a migration's target model (its Designer file) maps it. A null fact is unknown.</summary>
    public sealed class TargetColumn
    {
        public TargetColumn(string? storeType, bool? isRequired)
        {
            StoreType = storeType;
            IsRequired = isRequired;
        }

        public string? StoreType { get; }

        public bool? IsRequired { get; }
    }

    /// <summary>
    /// Reads the <c>BuildTargetModel</c> EF writes into a migration's <c>.Designer.cs</c> from syntax only (no binding:
    /// it is the largest method of a migrations project): <c>modelBuilder.Entity("N", b =&gt; { b.Property&lt;T&gt;("P")
    /// .IsRequired().HasColumnType("text"); b.ToTable("T"); })</c>. Entities without <c>ToTable</c> are skipped.
    /// </summary>
    internal static class TargetModelReader
    {
        public static ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>? Read(INamedTypeSymbol migration, CancellationToken cancellationToken)
        {
            MethodDeclarationSyntax? method = null;
            foreach (var reference in migration.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax part)
                {
                    foreach (var member in part.Members)
                    {
                        if (member is MethodDeclarationSyntax m && m.Identifier.ValueText == "BuildTargetModel")
                        {
                            method = m;
                        }
                    }
                }
            }

            if (method?.Body is null)
            {
                return null;
            }

            // Entity name -> table, and its columns (several Entity("N", ...) calls of one entity are merged).
            var tables = new Dictionary<string, TableName>(StringComparer.Ordinal);
            var columns = new Dictionary<string, Dictionary<string, TargetColumn>>(StringComparer.Ordinal);
            foreach (var invocation in method.Body.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (NameOf(invocation) != "Entity" || invocation.ArgumentList.Arguments.Count != 2
                    || !(Literal(invocation.ArgumentList.Arguments[0].Expression) is { } entity)
                    || !(invocation.ArgumentList.Arguments[1].Expression is LambdaExpressionSyntax { Body: BlockSyntax body }))
                {
                    continue;
                }

                if (!columns.TryGetValue(entity, out var entityColumns))
                {
                    entityColumns = new Dictionary<string, TargetColumn>(StringComparer.Ordinal);
                    columns[entity] = entityColumns;
                }

                foreach (var statement in body.Statements)
                {
                    if (statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax chain })
                    {
                        ReadStatement(chain, entity, tables, entityColumns);
                    }
                }
            }

            var result = ImmutableDictionary.CreateBuilder<TableName, ImmutableDictionary<string, TargetColumn>>();
            foreach (var entry in tables)
            {
                // Two entities on one table (table splitting, owned types): columns of both.
                var merged = result.TryGetValue(entry.Value, out var existing) ? existing.ToBuilder() : ImmutableDictionary.CreateBuilder<string, TargetColumn>(StringComparer.Ordinal);
                foreach (var column in columns[entry.Key])
                {
                    merged[column.Key] = column.Value;
                }

                result[entry.Value] = merged.ToImmutable();
            }

            return result.ToImmutable();
        }

        private static void ReadStatement(InvocationExpressionSyntax outer, string entity, Dictionary<string, TableName> tables, Dictionary<string, TargetColumn> columns)
        {
            // The chain from the outermost call inwards: b.Property<T>("P").IsRequired().HasColumnType("x").
            var calls = new List<InvocationExpressionSyntax>();
            for (ExpressionSyntax? current = outer; current is InvocationExpressionSyntax call;)
            {
                calls.Add(call);
                current = (call.Expression as MemberAccessExpressionSyntax)?.Expression;
            }

            var innermost = calls[calls.Count - 1];
            var arguments = innermost.ArgumentList.Arguments;
            var name = NameOf(innermost);
            if (name == "ToTable" && arguments.Count >= 1 && Literal(arguments[0].Expression) is { } table)
            {
                tables[entity] = new TableName(arguments.Count > 1 ? Literal(arguments[1].Expression) : null, table);
                return;
            }

            if (name != "Property" || arguments.Count != 1 || !(Literal(arguments[0].Expression) is { } property))
            {
                return;
            }

            string? columnName = null;
            string? storeType = null;
            int? maxLength = null;
            var required = RequiredByType(innermost);
            foreach (var call in calls)
            {
                var callArguments = call.ArgumentList.Arguments;
                switch (NameOf(call))
                {
                    case "HasColumnName" when callArguments.Count == 1:
                        columnName = Literal(callArguments[0].Expression);
                        break;
                    case "HasColumnType" when callArguments.Count == 1:
                        storeType = Literal(callArguments[0].Expression);
                        break;
                    case "HasMaxLength" when callArguments.Count == 1:
                        maxLength = callArguments[0].Expression is LiteralExpressionSyntax { Token: { Value: int length } } ? length : (int?)null;
                        break;
                    case "IsRequired":
                        required = callArguments.Count == 0 || callArguments[0].Expression.IsKind(SyntaxKind.TrueLiteralExpression);
                        break;
                }
            }

            if (storeType is null && IsString(innermost))
            {
                storeType = maxLength is { } n ? "character varying(" + n + ")" : "text";
            }

            columns[columnName ?? property] = new TargetColumn(storeType, required);
        }

        /// <summary>Property&lt;int&gt; is required, Property&lt;int?&gt; and Property&lt;string&gt; are not (unless IsRequired); other types unknown.</summary>
        private static bool? RequiredByType(InvocationExpressionSyntax property)
        {
            if (!(property.Expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax { TypeArgumentList: { Arguments: { Count: 1 } types } } }))
            {
                return null;
            }

            switch (types[0])
            {
                case NullableTypeSyntax _:
                    return false;
                case PredefinedTypeSyntax predefined:
                    return !predefined.Keyword.IsKind(SyntaxKind.StringKeyword) && !predefined.Keyword.IsKind(SyntaxKind.ObjectKeyword);
                case ArrayTypeSyntax _:
                    return false;
                case IdentifierNameSyntax identifier:
                    var text = identifier.Identifier.ValueText;
                    return text == "Guid" || text == "DateTime" || text == "DateTimeOffset" || text == "TimeSpan" || text == "DateOnly" || text == "TimeOnly" ? true : (bool?)null;
                default:
                    return null;
            }
        }

        private static bool IsString(InvocationExpressionSyntax property) =>
            property.Expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax { TypeArgumentList: { Arguments: { Count: 1 } types } } }
            && types[0] is PredefinedTypeSyntax predefined && predefined.Keyword.IsKind(SyntaxKind.StringKeyword);

        private static string? NameOf(InvocationExpressionSyntax invocation) =>
            invocation.Expression switch
            {
                MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                SimpleNameSyntax simple => simple.Identifier.ValueText,
                _ => null,
            };

        private static string? Literal(ExpressionSyntax expression) =>
            expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression) ? literal.Token.ValueText : null;
    }
}
