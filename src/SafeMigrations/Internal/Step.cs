using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace SafeMigrations.Internal;

/// <summary>Collects a step's operations, all carrying the step's shared annotations.</summary>
internal sealed class Step
{
    private readonly List<KeyValuePair<string, object>> _annotations = new();
    private readonly List<SqlOperation> _operations = new();

    public Step(string kind, string? schema, string? table)
    {
        With(SafeMigrationsAnnotations.Step, kind);
        With(SafeMigrationsAnnotations.Schema, string.IsNullOrEmpty(schema) ? null : schema);
        With(SafeMigrationsAnnotations.Table, table);
    }

    /// <summary>Adds a shared annotation; null values are left out, so "absent" has one spelling.</summary>
    public Step With(string name, object? value)
    {
        if (value is not null)
        {
            _annotations.Add(new KeyValuePair<string, object>(name, value));
        }

        return this;
    }

    public void Add(string part, string sql, bool suppressTransaction)
    {
        var operation = new SqlOperation { Sql = sql, SuppressTransaction = suppressTransaction };
        foreach (var annotation in _annotations)
        {
            operation.AddAnnotation(annotation.Key, annotation.Value);
        }

        operation.AddAnnotation(SafeMigrationsAnnotations.Part, part);
        _operations.Add(operation);
    }

    public OperationBuilder<SqlOperation> AddTo(MigrationBuilder migrationBuilder)
    {
        foreach (var operation in _operations)
        {
            migrationBuilder.Operations.Add(operation);
        }

        return new SafeStepBuilder(_operations);
    }
}
