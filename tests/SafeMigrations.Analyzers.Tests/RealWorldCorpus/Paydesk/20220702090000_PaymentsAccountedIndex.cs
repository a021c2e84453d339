using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Paydesk.Data;

#nullable disable

namespace Paydesk.Data.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(PaydeskDbContext))]
    [Migration("20220702090000_PaymentsAccountedIndex")]
    public partial class PaymentsAccountedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"IX_Payments_Unaccounted\" ON \"Payments\" (\"ReceivedAt\") WHERE NOT \"Accounted\";",
                suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS \"IX_Payments_Unaccounted\";", suppressTransaction: true);
        }
    }
}
