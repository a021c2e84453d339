using System;
using System.Linq;
using System.Text;

namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void SetNotNullThroughCheck_is_four_operations_with_only_the_validation_outside_the_transaction()
    {
        var ops = Build(b => b.SetNotNullThroughCheck(column: "Email", table: "Users", schema: "app"));

        Assert.Equal(
            new[]
            {
                "ALTER TABLE \"app\".\"Users\" DROP CONSTRAINT IF EXISTS \"CK_Users_Email_not_null\", ADD CONSTRAINT \"CK_Users_Email_not_null\" CHECK (\"Email\" IS NOT NULL) NOT VALID;",
                "ALTER TABLE \"app\".\"Users\" VALIDATE CONSTRAINT \"CK_Users_Email_not_null\";",
                "ALTER TABLE \"app\".\"Users\" ALTER COLUMN \"Email\" SET NOT NULL;",
                "ALTER TABLE \"app\".\"Users\" DROP CONSTRAINT IF EXISTS \"CK_Users_Email_not_null\";",
            },
            ops.Select(o => o.Sql));
        Assert.Equal(new[] { false, true, false, false }, ops.Select(o => o.SuppressTransaction));
        Assert.Equal(new[] { "AddCheckNotValid", "ValidateCheck", "SetNotNull", "DropCheck" }, ops.Select(o => (string)o[SafeMigrationsAnnotations.Part]!));
        Assert.All(ops, op =>
        {
            Assert.Equal("SetNotNullThroughCheck", op[SafeMigrationsAnnotations.Step]);
            Assert.Equal("Email", op[SafeMigrationsAnnotations.Column]);
            Assert.Equal("Users", op[SafeMigrationsAnnotations.Table]);
            Assert.Equal("app", op[SafeMigrationsAnnotations.Schema]);
            Assert.Equal("CK_Users_Email_not_null", op[SafeMigrationsAnnotations.CheckName]);
        });
    }

    [Fact]
    public void Generated_names_longer_than_63_bytes_are_shortened_deterministically_with_a_hash()
    {
        string table = new string('t', 40);
        string column = "é" + new string('c', 30); // multi-byte: the limit is in bytes, not characters
        string Check() => (string)Build(b => b.SetNotNullThroughCheck(column, table))[0][SafeMigrationsAnnotations.CheckName]!;

        string name = Check();
        Assert.True(Encoding.UTF8.GetByteCount(name) <= 63, name);
        Assert.Equal(name, Check());
        Assert.Matches("^CK_t{40}_éc+_[0-9a-f]{8}$", name);

        string other = (string)Build(b => b.SetNotNullThroughCheck(column + "x", table))[0][SafeMigrationsAnnotations.CheckName]!;
        Assert.NotEqual(name, other);
        Assert.Equal(name.Substring(0, 40), other.Substring(0, 40));
    }

    [Fact]
    public void Shortening_never_splits_a_multi_byte_character()
    {
        string column = new string('ж', 40); // 2 bytes each
        var ops = Build(b => b.SetNotNullThroughCheck(column, "T"));
        string name = (string)ops[0][SafeMigrationsAnnotations.CheckName]!;

        Assert.True(Encoding.UTF8.GetByteCount(name) <= 63);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)));
        Assert.StartsWith("CK_T_жжж", name, StringComparison.Ordinal);
    }
}
