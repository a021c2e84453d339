using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Keyring.Infrastructure;

#nullable disable

namespace Keyring.PostgresMigrations.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(KeyringDbContext))]
    [Migration("20210920201829_AddMaxAutoscaleSeats")]
    public partial class AddMaxAutoscaleSeats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "MaxAutoscaleSeats",
                table: "Organizations",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
